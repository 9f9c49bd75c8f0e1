/**
 * DKIM, per domain: the TXT that DNS serves at the record's name (its character-strings joined),
 * compared byte for byte with the key PMG signs with, live from PMG's API when credentials are
 * given, else the `dkim` stack output. Any difference, even one character, makes every signature
 * fail to verify, so it is a failure, shown at the first differing byte (public data, no secret).
 */
import type { DkimRecordOutput } from "../../lib/outputs";
import type { Check } from "../context";
import type { PmgDkimState } from "../pmg";
import { fail, pass, reason, warn, type CheckResult } from "../result";

const REPUBLISH =
  "run pulumi up: the record is computed from PMG's key, so it republishes the key PMG signs with (a hand edit, or a key rotated on PMG, makes them differ)";

export const dkim: Check = async (ctx) => {
  const live = ctx.pmg.state === "ok" ? ctx.pmg.dkim : undefined;
  return Promise.all(
    Object.entries(ctx.outputs.dkim).map(async ([domain, record]) => {
      try {
        return compareDkim(domain, record, await ctx.dns.txt(record.name), live);
      } catch (err) {
        return fail(`dkim:${domain}`, reason(err), "check the resolver given with --dns");
      }
    }),
  );
};

export function compareDkim(
  domain: string,
  record: DkimRecordOutput,
  served: string[],
  live?: PmgDkimState,
): CheckResult {
  const id = `dkim:${domain}`;
  if (served.length === 0) return fail(id, `DNS serves no TXT record at ${record.name}`, REPUBLISH);
  if (served.length > 1) {
    return fail(
      id,
      `DNS serves ${served.length} TXT records at ${record.name}; verifiers may pick any one`,
      `delete every TXT record at ${record.name} but the one this stack manages`,
    );
  }
  if (live?.selector && !record.name.startsWith(`${live.selector}._domainkey.`)) {
    return fail(
      id,
      `PMG signs with selector ${live.selector}, but the stack publishes ${record.name}`,
      "run pulumi up --refresh, then pulumi up, so DNS follows PMG's active selector",
    );
  }
  const expected = live?.txtValue ?? record.value;
  const source = live?.txtValue ? "PMG's live key" : "the dkim stack output";
  const at = firstDifference(served[0], expected);
  if (at !== undefined) {
    return fail(
      id,
      `${record.name} differs from ${source} at byte ${at}: DNS has ${excerpt(served[0], at)}, PMG signs with ${excerpt(expected, at)}`,
      REPUBLISH,
    );
  }
  if (live?.txtValue && record.value !== live.txtValue) {
    return warn(
      id,
      `DNS serves PMG's live key, but the dkim stack output holds another one`,
      "run pulumi up --refresh so the outputs show the key PMG signs with",
    );
  }
  return pass(
    id,
    `${record.name} serves exactly the key PMG signs with (${source}, ${Buffer.byteLength(expected)} bytes)`,
  );
}

/** The first byte offset at which the UTF-8 forms differ, or undefined when they are identical. */
export function firstDifference(a: string, b: string): number | undefined {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return x.length === y.length ? undefined : n;
}

/** A few bytes either side of `at`, quoted; `<end>` where the value has ended. */
function excerpt(value: string, at: number): string {
  const bytes = Buffer.from(value, "utf8");
  const from = Math.max(0, at - 8);
  const text = bytes.subarray(from, Math.min(bytes.length, at + 9)).toString("latin1");
  return `"${from > 0 ? "..." : ""}${text}${at + 9 < bytes.length ? "..." : ""}"${at >= bytes.length ? " <end>" : ""}`;
}
