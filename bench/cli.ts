/**
 * `npm run bench [-- --n 10,100,1000] [--json]`: runs bench.ts and prints a table for people, or
 * with --json exactly one JSON object per row on stdout (progress goes to stderr either way).
 */
import { ENGINE_PARALLELISM, runBench } from "./bench";
import { jsonLine, table } from "./report";
import * as os from "node:os";

export interface CliOptions {
  readonly ns: number[];
  readonly json: boolean;
}

export function parseArgs(argv: string[]): CliOptions {
  let ns = [10, 100, 1000];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "--n" || a.startsWith("--n=")) {
      const v = a === "--n" ? argv[++i] : a.slice(4);
      if (!v || !/^\d+(,\d+)*$/.test(v) || v.split(",").some((x) => Number(x) < 1))
        throw new Error(
          `--n needs a comma-separated list of account counts such as 10,100, got ${JSON.stringify(v)}`,
        );
      ns = v.split(",").map(Number);
    } else
      throw new Error(
        `unknown argument ${JSON.stringify(a)}; usage: npm run bench -- [--n 10,100,1000] [--json]`,
      );
  }
  return { ns, json };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const about =
    `parallelism ${ENGINE_PARALLELISM} (Pulumi's default --parallel, 4 x ${os.availableParallelism()} CPUs); ` +
    `20 ms added to every answer by each stand-in (the RTT of the floor)`;
  process.stderr.write(`bench: ${about}\n`);
  const rows = await runBench({
    ns: o.ns,
    log: (l) => process.stderr.write(`bench: ${l}\n`),
    onRow: (r) => o.json && process.stdout.write(`${jsonLine(r)}\n`),
  });
  if (!o.json) process.stdout.write(`${about}\n\n${table(rows)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
