/**
 * Prints the results: a table for people, or one JSON object for machines (`--json`). Every string
 * is passed through `redact` first, which replaces each known secret (account passwords, the PMG
 * password) wherever a server's message might have echoed it.
 */
import type { CheckResult, Status } from "./result";

export interface Summary {
  readonly ok: boolean;
  readonly pass: number;
  readonly warn: number;
  readonly fail: number;
}

export function summarize(results: readonly CheckResult[]): Summary {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  return { ok: count("fail") === 0, pass: count("pass"), warn: count("warn"), fail: count("fail") };
}

/** Secrets shorter than this are not searched for: they would mangle ordinary words. */
const MIN_SECRET_LENGTH = 4;

export function redact(results: readonly CheckResult[], secrets: readonly string[]): CheckResult[] {
  const known = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  const clean = (text: string) => known.reduce((t, s) => t.split(s).join("[secret]"), text);
  return results.map((r) => ({
    ...r,
    detail: clean(r.detail),
    ...(r.fix !== undefined ? { fix: clean(r.fix) } : {}),
  }));
}

export function renderJson(results: readonly CheckResult[]): string {
  return JSON.stringify({ ...summarize(results), checks: results }) + "\n";
}

const LABEL: Record<Status, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

export function renderTable(results: readonly CheckResult[]): string {
  const width = Math.max(5, ...results.map((r) => r.id.length));
  const lines = results.flatMap((r) => [
    `${LABEL[r.status]}  ${r.id.padEnd(width)}  ${r.detail}`,
    ...(r.status !== "pass" && r.fix ? [`${" ".repeat(6 + width)}  fix: ${r.fix}`] : []),
  ]);
  const s = summarize(results);
  lines.push("", `verify: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail${s.ok ? "" : " (exit 1)"}`);
  return lines.join("\n") + "\n";
}
