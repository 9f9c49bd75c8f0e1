/**
 * `npm run verify` against the lab: the deployment's stack outputs, with the addresses lab hosts
 * reach (PMG's relay at its lab address, Stalwart's IMAP at its), run inside the lab's network
 * namespace with the lab's DNS and CA, as an operator on the LAN would run it.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LAB } from "./addresses";
import type { Lab } from "./lab";

const ROOT = path.resolve(__dirname, "..", "..");

export interface VerifyRun {
  readonly code: number;
  /** verify's results (verify/result.ts CheckResult): id, pass/warn/fail, why. */
  readonly checks: { id: string; status: string; detail?: string }[];
  readonly output: string;
}

export async function runVerify(
  lab: Lab,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<VerifyRun> {
  const o = lab.deployment!.exports;
  const outputs = {
    ...o,
    smtpRelay: { ...(o.smtpRelay as object), host: LAB.pmg },
    imap: { host: LAB.stalwart, port: 143, security: "starttls" },
  };
  const file = path.join(lab.dir, "verify-outputs.json");
  fs.writeFileSync(file, JSON.stringify(outputs), { mode: 0o600 });
  const argv = [
    ...lab.net.enter,
    process.execPath,
    "-r",
    "ts-node/register/transpile-only",
    path.join(ROOT, "verify", "cli.ts"),
    "--outputs",
    file,
    "--dns",
    `${LAB.dns}:53`,
    "--imap-ca",
    lab.ca.caFile,
    "--timeout",
    extra.includes("--timeout") ? extra[extra.indexOf("--timeout") + 1] : "20",
    "--json",
    ...extra.filter((a, i) => a !== "--timeout" && extra[i - 1] !== "--timeout"),
  ];
  return new Promise((resolve) => {
    execFile(
      argv[0],
      argv.slice(1),
      { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        let checks: VerifyRun["checks"] = [];
        try {
          const parsed = JSON.parse(stdout) as { checks?: VerifyRun["checks"] };
          checks = parsed.checks ?? [];
        } catch {
          // not JSON: verify could not run; the output says why
        }
        resolve({ code, checks, output: `${stdout}\n${stderr}` });
      },
    );
  });
}
