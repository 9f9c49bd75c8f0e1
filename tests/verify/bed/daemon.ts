// A real daemon started by the verify test bed: spawned under `setpriv --pdeathsig KILL`, so it
// dies with the test process even if that is killed before its cleanup runs; its output kept
// (last lines only) to explain a failed start; stopped with SIGTERM, then SIGKILL if it lingers.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  /** The daemon's recent output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const KEEP_LINES = 60;

export interface DaemonOptions {
  /** A log file the daemon writes instead of stdout (Postfix's maillog_file). */
  readonly logFile?: string;
  readonly timeoutMs?: number;
}

export async function startDaemon(
  name: string,
  argv: string[],
  ready: () => Promise<boolean>,
  opts: DaemonOptions = {},
): Promise<Daemon> {
  const child: ChildProcess = spawn("setpriv", ["--pdeathsig", "KILL", ...argv], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - KEEP_LINES));
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = `exited (${signal ?? code})`;
      resolve();
    }),
  );
  child.once("error", (err) => (exited = `could not start: ${err.message}`));
  const daemon: Daemon = {
    name,
    pid: child.pid ?? -1,
    output: () => [...lines, ...(opts.logFile ? tail(opts.logFile) : [])].join("\n"),
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${name} ${exited} before it was ready:\n${daemon.output()}`);
    if (await ready().catch(() => false)) return daemon;
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${daemon.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tail(file: string): string[] {
  try {
    return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).slice(-KEEP_LINES);
  } catch {
    return [];
  }
}
