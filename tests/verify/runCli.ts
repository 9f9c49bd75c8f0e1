// Runs `npm run verify` as a person would (the package.json script, Node 24 and ts-node), capturing its output.
import { execFile } from "node:child_process";
import * as path from "node:path";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(__dirname, "..", "..");

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      "npm",
      ["run", "-s", "verify", "--", ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
      },
    );
  });
}
