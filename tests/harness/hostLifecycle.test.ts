// The host process's life: it starts the way the engine starts it, a failed start says why, and
// it never outlives the process that started it, even one killed with SIGKILL.
import { spawn } from "child_process";
import * as fs from "fs";
import { PROJECT_ROOT, startProviderHost } from "./providerHost";

/** Gone, or a zombie: in a container, PID 1 may never reap a reparented child. */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (isDead(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return isDead(pid);
}

test("the host runs in the project root with the engine's PULUMI_* env, and close() ends it", async () => {
  const host = await startProviderHost();
  const environ = fs.readFileSync(`/proc/${host.pid}/environ`, "utf8").split("\0");
  expect(environ).toEqual(
    expect.arrayContaining(["PULUMI_NODEJS_PROJECT=homelab-mail", "PULUMI_PROJECT=homelab-mail"]),
  );
  expect(fs.readlinkSync(`/proc/${host.pid}/cwd`)).toBe(PROJECT_ROOT);
  // The engine address argument is never dialed (reference §1 step 1).
  expect(fs.readFileSync(`/proc/${host.pid}/cmdline`, "utf8").split("\0")).toContain("127.0.0.1:1");
  expect(isDead(host.pid)).toBe(false);
  await host.close();
  expect(isDead(host.pid)).toBe(true);
  await host.close(); // idempotent
});

test("a host that dies before printing its port rejects with its output", async () => {
  const start = startProviderHost({ env: { NODE_OPTIONS: "--require /nonexistent/harness-preload.js" } });
  await expect(start).rejects.toThrow(
    /failed to start: exited .* before printing its port[\s\S]*Cannot find module/,
  );
});

test("a host orphaned by a SIGKILLed parent is killed by the watchdog", async () => {
  // The parent is a plain Node process running the harness through ts-node. It stays alive on
  // its own timer: the host is unref'd, and a parent that exited normally would kill it through
  // the "exit" handler, which is not what this test is about.
  const script =
    "require('./tests/harness/providerHost').startProviderHost()" +
    ".then((h) => { console.log('HOSTPID', h.pid); setInterval(() => {}, 60_000); })";
  const parent = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const hostPid = await new Promise<number>((resolve, reject) => {
    let out = "";
    parent.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /HOSTPID (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    parent.once("exit", (code) =>
      reject(new Error(`parent exited (${code}) before starting a host: ${out}`)),
    );
  });
  try {
    expect(isDead(hostPid)).toBe(false);
    parent.kill("SIGKILL"); // no "exit" handler runs; only the watchdog can clean up
    expect(await waitUntilDead(hostPid, 5_000)).toBe(true);
  } finally {
    if (!isDead(hostPid)) process.kill(hostPid, "SIGKILL");
  }
});
