/**
 * The lab's network namespace: a `unshare --net` holder process, every lab address on the
 * namespace's own loopback (nothing is added to this machine's interfaces), and the agent
 * (agent.js) that the test process talks through, since Node cannot enter a namespace itself.
 * Everything dies with the test process (`setpriv --pdeathsig`). Needs root.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { LAB } from "./addresses";

const run = promisify(execFile);

export interface LabNet {
  /** `/proc/<pid>/ns/net` of the holder: what `nsenter --net=` takes. */
  readonly nsPath: string;
  /** argv prefix that runs a command inside the lab's network namespace. */
  readonly enter: string[];
  /** A TCP connection opened inside the lab (from `localAddress` when given). */
  connect(host: string, port: number, localAddress?: string): Promise<net.Socket>;
  /** A port on this machine's 127.0.0.1 that leads to host:port inside the lab. */
  bridge(host: string, port: number): Promise<{ port: number; close(): Promise<void> }>;
  /** Whether host:port inside the lab answers with a first line matching `greeting`. */
  greets(host: string, port: number, greeting: RegExp): Promise<boolean>;
  /** Runs a command inside the lab's network namespace. */
  exec(argv: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startLabNet(dir: string): Promise<LabNet> {
  const holder = spawn("setpriv", ["--pdeathsig", "KILL", "unshare", "--net", "--", "sleep", "infinity"], {
    stdio: "ignore",
  });
  const children: ChildProcess[] = [holder];
  // The holder is `sleep` once unshare has exec'd it: wait until its netns differs from ours.
  const own = fs.readlinkSync("/proc/self/ns/net");
  for (let i = 0; ; i++) {
    try {
      if (fs.readlinkSync(`/proc/${holder.pid}/ns/net`) !== own) break;
    } catch {
      // not there yet
    }
    if (i > 100) throw new Error("lab: the network namespace holder did not start");
    await new Promise((r) => setTimeout(r, 20));
  }
  const nsPath = `/proc/${holder.pid}/ns/net`;
  const enter = ["nsenter", `--net=${nsPath}`, "--"];
  const exec: LabNet["exec"] = (argv, input) =>
    new Promise((resolve) => {
      const c = execFile(
        enter[0],
        [...enter.slice(1), ...argv],
        { encoding: "utf8" },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) c.stdin!.end(input);
    });
  const ip = async (...args: string[]) => {
    const r = await exec(["ip", ...args]);
    if (r.code !== 0) throw new Error(`lab: ip ${args.join(" ")} failed: ${r.stderr}`);
  };
  await ip("link", "set", "lo", "up");
  for (const a of new Set(Object.values(LAB)))
    if (a !== "127.0.0.1") await ip("addr", "add", `${a}/32`, "dev", "lo");

  const socketPath = path.join(dir, "agent.sock");
  const agent = spawn(
    "setpriv",
    ["--pdeathsig", "KILL", ...enter, process.execPath, path.join(__dirname, "agent.js"), socketPath],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  children.push(agent);
  await new Promise<void>((resolve, reject) => {
    agent.stdout!.once("data", () => resolve());
    agent.once("exit", (code) => reject(new Error(`lab: the agent exited (${code})`)));
  });

  const connect: LabNet["connect"] = (host, port, localAddress) =>
    new Promise((resolve, reject) => {
      const s = net.connect(socketPath);
      let buf = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        const nl = buf.indexOf(10);
        if (nl < 0) return;
        // Paused before the listener goes: a flowing socket without a listener drops what arrives
        // (the server's greeting can come in the same chunk as "OK" or right after it).
        s.pause();
        s.off("data", onData);
        const line = buf.subarray(0, nl).toString("utf8");
        if (line !== "OK") {
          s.destroy();
          reject(new Error(`lab: connect ${host}:${port}: ${line}`));
          return;
        }
        const rest = buf.subarray(nl + 1);
        if (rest.length) s.unshift(rest);
        resolve(s);
        // After the caller's continuation attached its listeners (or piped it).
        setImmediate(() => s.resume());
      };
      s.on("data", onData);
      s.once("error", reject);
      s.once("connect", () => s.write(JSON.stringify({ host, port, localAddress }) + "\n"));
    });

  const bridges: net.Server[] = [];
  const bridge: LabNet["bridge"] = async (host, port) => {
    const server = net.createServer((client) => {
      client.pause();
      connect(host, port).then(
        (up) => {
          client.pipe(up);
          up.pipe(client);
          client.resume();
          up.once("error", () => client.destroy());
          client.once("error", () => up.destroy());
          up.once("close", () => client.destroy());
          client.once("close", () => up.destroy());
        },
        () => client.destroy(),
      );
    });
    bridges.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return {
      port: (server.address() as net.AddressInfo).port,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  };

  const greets: LabNet["greets"] = async (host, port, greeting) => {
    let s: net.Socket;
    try {
      s = await connect(host, port);
    } catch {
      return false;
    }
    return new Promise((resolve) => {
      const done = (ok: boolean) => (s.destroy(), resolve(ok));
      s.setTimeout(1_000, () => done(false));
      s.once("error", () => done(false));
      s.once("data", (d) => done(greeting.test(d.toString("latin1"))));
    });
  };

  return {
    nsPath,
    enter,
    connect,
    bridge,
    greets,
    exec,
    async close() {
      for (const b of bridges) b.close();
      for (const c of children) c.kill("SIGKILL");
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/** Runs `argv` and fails with its output unless it exits 0. */
export async function must(argv: string[]): Promise<string> {
  const r = await run(argv[0], argv.slice(1), { encoding: "utf8" });
  return r.stdout;
}
