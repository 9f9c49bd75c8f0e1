/** The table of docs/lab.md, written by the lab run: each scenario and where each message landed. */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Row {
  readonly scenario: string;
  readonly expected: string;
  readonly landed: string;
  readonly ok: boolean;
  /** A failure this row shows on purpose: the old rendering, kept as a regression case. */
  readonly failureExpected?: "regression";
}

const rows: Row[] = [];

export function record(row: Row): void {
  rows.push(row);
}

export const fmt = (where: Record<string, number>) =>
  Object.keys(where).length === 0
    ? "nowhere"
    : Object.entries(where)
        .map(([k, n]) => (n === 1 ? k : `${k} x${n}`))
        .join(", ");

const START = "<!-- lab table: written by tests/lab (npm test / npm run lab); do not edit by hand -->";
const END = "<!-- end of lab table -->";

/** Replaces the table in docs/lab.md (between its markers) with this run's rows. */
export function writeTable(meta: string): void {
  const file = path.resolve(__dirname, "..", "..", "docs", "lab.md");
  if (!fs.existsSync(file) || rows.length === 0) return;
  const text = fs.readFileSync(file, "utf8");
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  const table = [
    START,
    "",
    meta,
    "",
    "| Scenario | Expected | Where it landed | |",
    "|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.expected} | ${r.landed} | ${r.ok ? "ok" : r.failureExpected === "regression" ? "fails, as the old rendering must" : "**FAILED**"} |`,
    ),
    "",
  ].join("\n");
  fs.writeFileSync(file, text.slice(0, a) + table + text.slice(b));
}
