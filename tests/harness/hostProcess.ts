// The dynamic-provider host as an OS process: spawned the way the engine spawns it (reference §1
// step 1 and §5), its port read from stdout line 1, every later output line kept, and a guarantee
// that it never outlives the test process. The gRPC side lives in providerHost.ts.
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import * as vm from "vm";

/** The project root: tests/harness/ is two levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT_NAME = "homelab-mail";
const HOST_SCRIPT = "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";
const START_TIMEOUT_MS = 20_000;

export interface HostProcessOptions {
  /** Working directory; the engine uses the Pulumi.yaml directory (reference §4b). */
  cwd?: string;
  /** Extra environment, merged over the parent env and the engine's PULUMI_* variables. */
  env?: Record<string, string>;
}

export interface HostProcess {
  readonly pid: number;
  readonly port: number;
  /** Every stdout line after the port line and every stderr line, in arrival order. */
  readonly logs: string[];
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Kills the host and resolves once its stdout and stderr are drained, so `logs` is final. */
  close(): Promise<void>;
}

// Hosts still running, killed synchronously if the test process exits without close(). The
// host and its pipes are unref'd (see spawnHost), so a forgotten close() cannot keep jest alive
// ("Jest did not exit"); it is reported here instead.
//
// Under jest, `process` is a sandbox copy whose "exit" listeners never run (measured), so the
// handler goes on the real process, reached through the main V8 context. Every test file loads
// this module afresh in the same worker, so the set lives on that process, registered once.
const realProcess = vm.runInThisContext("process") as NodeJS.Process;
const LIVE = Symbol.for("homelab-mail.harness.liveHosts");
const holder = realProcess as unknown as { [LIVE]?: Set<ChildProcess> };
const live: Set<ChildProcess> = holder[LIVE] ?? (holder[LIVE] = new Set());
if (realProcess.listeners("exit").every((l) => l.name !== "killLeftoverHosts")) {
  realProcess.on("exit", function killLeftoverHosts() {
    if (live.size === 0) return;
    process.stderr.write(`harness: killing ${live.size} provider host(s) left running; call host.close()\n`);
    live.forEach((c) => c.kill("SIGKILL"));
  });
}

// A jest worker can be SIGKILLed (timeouts, --forceExit on a hung worker), and then no "exit"
// handler runs. A detached watchdog polls both pids and kills the orphaned host. It runs outside
// the host so the host's own command line and module state stay exactly as the engine makes them.
const WATCHDOG = `const [parent, host] = process.argv.slice(1).map(Number);
const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
setInterval(() => {
  if (!alive(host)) process.exit(0);
  if (!alive(parent)) { try { process.kill(host, "SIGKILL"); } catch {} process.exit(0); }
}, 500);`;

function startWatchdog(hostPid: number): ChildProcess {
  const dog = spawn(process.execPath, ["-e", WATCHDOG, String(process.pid), String(hostPid)], {
    detached: true,
    stdio: "ignore",
  });
  dog.unref();
  return dog;
}

export function spawnHost(opts: HostProcessOptions = {}): Promise<HostProcess> {
  const cwd = opts.cwd ?? PROJECT_ROOT;
  // The argument is the engine address; the host only checks that it is present (§1 step 1).
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, HOST_SCRIPT), "127.0.0.1:1"], {
    cwd,
    env: { ...process.env, PULUMI_NODEJS_PROJECT: PROJECT_NAME, PULUMI_PROJECT: PROJECT_NAME, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  // Pending RPCs and timers keep the test process alive; an idle host should not.
  child.unref();
  for (const pipe of [child.stdout, child.stderr]) (pipe as unknown as { unref?: () => void }).unref?.();
  const logs: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  void closed.then(() => live.delete(child));
  const dog = child.pid ? startWatchdog(child.pid) : undefined;

  const keep = (line: string) => {
    logs.push(line);
    waiters.forEach((w) => w(line));
  };
  readline.createInterface({ input: child.stderr! }).on("line", keep);
  const stdout = readline.createInterface({ input: child.stdout! });

  const waitForLog = (pattern: RegExp | string, timeoutMs = 5_000) =>
    new Promise<string>((resolve, reject) => {
      const test = (l: string) => (typeof pattern === "string" ? l.includes(pattern) : pattern.test(l));
      const seen = logs.find(test);
      if (seen !== undefined) return resolve(seen);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no host log line matched ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (l: string) => {
        if (!test(l)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(l);
      };
      waiters.add(waiter);
    });

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
    await closed;
    clearTimeout(timer);
    dog?.kill("SIGKILL");
  };

  return new Promise<HostProcess>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const fail = async (why: string) => {
      clearTimeout(timer);
      await close();
      reject(new Error(`dynamic-provider host failed to start: ${why}\n${logs.join("\n")}`));
    };
    timer = setTimeout(() => fail(`no port within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once("error", (e) => fail(e.message));
    const early = (code: number | null, signal: string | null) =>
      fail(`exited (${code ?? signal}) before printing its port`);
    child.once("exit", early);
    let port: number | undefined;
    stdout.on("line", (line) => {
      if (port !== undefined) return keep(line);
      // Stdout line 1 is the port (reference §1 step 1, `index.ts:513`).
      port = Number(line.trim());
      clearTimeout(timer);
      child.removeListener("exit", early);
      if (!Number.isInteger(port) || port <= 0)
        return void fail(`first stdout line was ${JSON.stringify(line)}`);
      resolve({ pid: child.pid!, port, logs, waitForLog, close });
    });
  });
}
