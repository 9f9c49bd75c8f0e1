/**
 * `npm run verify`: checks the live mail chain from the stack's outputs and prints what works, what
 * does not, and the fix. Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2
 * when verify could not run (bad arguments, unreadable outputs). See verify/args.ts for the options.
 */
import { HomelabMailError } from "../lib/errors";
import { parseArgs, USAGE } from "./args";
import { loadOutputs } from "./outputs";
import { redact, renderJson, renderTable, summarize } from "./report";
import { runVerify } from "./runner";

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  try {
    const inv = parseArgs(argv, env);
    if (inv.help) {
      out(`${USAGE}\n`);
      return 0;
    }
    const outputs = await loadOutputs(inv.source);
    const secrets = [
      ...Object.values(outputs.accounts ?? {}).map((a) => a.password),
      inv.options.pmg?.password ?? "",
      inv.options.roundTrip?.smarthostPassword ?? "",
      inv.options.roundTrip?.fetchmailPassword ?? "",
    ];
    const results = redact(await runVerify(outputs, inv.options), secrets);
    out(inv.json ? renderJson(results) : renderTable(results));
    return summarize(results).ok ? 0 : 1;
  } catch (e) {
    if (!(e instanceof HomelabMailError)) throw e;
    err(`verify: ${e.message}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(
    process.argv.slice(2),
    process.env,
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  ).then(
    // Exit once the output is flushed, even if a server left a socket half-open.
    (code) => process.stdout.write("", () => process.exit(code)),
    (e: unknown) => {
      process.stderr.write(`verify: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(2);
    },
  );
}
