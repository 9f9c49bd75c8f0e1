/**
 * What every check of `npm run verify` reports: one line per thing checked, its status, why, and
 * what to do about it. Nothing here may ever hold a credential (the reporter redacts as well).
 */
export type Status = "pass" | "warn" | "fail";

export interface CheckResult {
  /** Stable id naming the check and its subject: `imap:thehive`, `dkim:example.net`, `relay`. */
  readonly id: string;
  readonly status: Status;
  /** What was seen: the reason for a warn or fail, the evidence for a pass. */
  readonly detail: string;
  /** What to do, for a warn or fail. */
  readonly fix?: string;
}

export const pass = (id: string, detail: string): CheckResult => ({ id, status: "pass", detail });

export const warn = (id: string, detail: string, fix?: string): CheckResult => ({
  id,
  status: "warn",
  detail,
  fix,
});

export const fail = (id: string, detail: string, fix?: string): CheckResult => ({
  id,
  status: "fail",
  detail,
  fix,
});

/** The message of an unknown thrown value, first line only (stack traces are not reasons). */
export function reason(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  const message = typeof e?.message === "string" && e.message !== "" ? e.message : String(err);
  const first = message.split("\n")[0];
  return typeof e?.code === "string" && !first.includes(e.code) ? `${first} (${e.code})` : first;
}
