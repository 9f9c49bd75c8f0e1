// Runs the standalone starter (tests/servers/start.ts) as `npm run test-server` does, for the
// servers' start tests: it must print exactly one JSON line, then serve until killed.
import { spawn } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

export interface Standalone {
  readonly info: Record<string, string>;
  stop(): Promise<void>;
}

export async function startStandalone(args: string[]): Promise<Standalone> {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "tests/servers/start.ts", ...args],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  try {
    const out = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        if (buf.includes("\n")) resolve(buf);
      });
      child.on("exit", (code) => reject(new Error(`starter exited with ${code}`)));
    });
    const lines = out.split("\n");
    if (lines.length !== 2 || lines[1] !== "") throw new Error(`expected exactly one line, got: ${out}`);
    return { info: JSON.parse(lines[0]) as Record<string, string>, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
