/**
 * SPF, per domain: exactly one `v=spf1` TXT at the apex (two or more make receivers answer
 * permerror, RFC 7208 §4.5, which is what Cloudflare Email Routing adding its own record causes),
 * authorizing Email Routing and Gmail's smarthost, and equal to the value the stack publishes
 * when the outputs carry it (`mailRecords`).
 */
import { BASE_SPF_INCLUDES } from "../../lib/config";
import type { Check } from "../context";
import { fail, pass, reason, type CheckResult } from "../result";

export const spf: Check = async (ctx) =>
  Promise.all(
    mailDomains(ctx.outputs).map(async (domain) => {
      try {
        return evaluateSpf(domain, await ctx.dns.txt(domain), ctx.outputs.mailRecords?.[domain]?.spf);
      } catch (err) {
        return fail(`spf:${domain}`, reason(err), "check the resolver given with --dns");
      }
    }),
  );

/** The domains the chain sends for: those with a DKIM record, and any with expected records. */
export function mailDomains(o: {
  dkim: Record<string, unknown>;
  mailRecords?: Record<string, unknown>;
}): string[] {
  return [...new Set([...Object.keys(o.dkim), ...Object.keys(o.mailRecords ?? {})])].sort();
}

const terms = (v: string) => v.trim().toLowerCase().split(/\s+/);
const includes = (v: string) => terms(v).flatMap((t) => /^\+?include:(.+)$/.exec(t)?.[1] ?? []);

export function evaluateSpf(domain: string, txt: string[], expected?: string): CheckResult {
  const id = `spf:${domain}`;
  const records = txt.filter((v) => /^v=spf1(\s|$)/i.test(v));
  if (records.length === 0) {
    return fail(
      id,
      `DNS serves no SPF record at ${domain}`,
      "run pulumi up: it writes the apex SPF record (after enabling Email Routing, taking over whatever the enable wrote)",
    );
  }
  if (records.length > 1) {
    return fail(
      id,
      `DNS serves ${records.length} SPF records at ${domain}, so receivers answer permerror (RFC 7208 §4.5): ${records.map((r) => JSON.stringify(r)).join(", ")}`,
      "run pulumi up: the stack's SPF record takes over the others at the apex and removes them (one it does not cover is refused unless homelab-mail:adoptExisting is true)",
    );
  }
  const value = records[0];
  const required = new Set(
    [...BASE_SPF_INCLUDES, ...(expected ? includes(expected) : [])].map((d) => d.toLowerCase()),
  );
  const missing = [...required].filter((d) => !includes(value).includes(d));
  if (missing.length > 0) {
    return fail(
      id,
      `the SPF record of ${domain} does not include ${missing.join(", ")}: ${JSON.stringify(value)}`,
      "run pulumi up to restore the record this stack declares",
    );
  }
  if (expected !== undefined && terms(value).join(" ") !== terms(expected).join(" ")) {
    return fail(
      id,
      `DNS serves ${JSON.stringify(value)}, the stack publishes ${JSON.stringify(expected)}`,
      "run pulumi up to restore it, or change homelab-mail:dns and run pulumi up",
    );
  }
  return pass(id, `one SPF record: ${JSON.stringify(value)}`);
}
