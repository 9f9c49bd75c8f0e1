/**
 * DMARC, per domain: exactly one `v=DMARC1` TXT at `_dmarc.<domain>` (with two or more, receivers
 * apply no policy at all, RFC 7489 §6.6.3) whose policy is the intended one. A differing policy
 * fails; other differing tags (the report address) only warn.
 */
import type { Check } from "../context";
import { fail, pass, reason, warn, type CheckResult } from "../result";
import { mailDomains } from "./spf";

export const dmarc: Check = async (ctx) =>
  Promise.all(
    mailDomains(ctx.outputs).map(async (domain) => {
      try {
        return evaluateDmarc(
          domain,
          await ctx.dns.txt(`_dmarc.${domain}`),
          ctx.outputs.mailRecords?.[domain]?.dmarc,
        );
      } catch (err) {
        return fail(`dmarc:${domain}`, reason(err), "check the resolver given with --dns");
      }
    }),
  );

/** `v=DMARC1; p=none; rua=...` as tag → value (names lowercased, values trimmed). */
export function dmarcTags(value: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return tags;
}

export function evaluateDmarc(domain: string, txt: string[], expected?: string): CheckResult {
  const id = `dmarc:${domain}`;
  const name = `_dmarc.${domain}`;
  const records = txt.filter((v) => /^v\s*=\s*DMARC1\s*(;|$)/.test(v));
  if (records.length === 0) {
    return fail(
      id,
      `DNS serves no DMARC record at ${name}`,
      "run pulumi up: it creates the record (policy from homelab-mail:dns.dmarcPolicy, default none)",
    );
  }
  if (records.length > 1) {
    return fail(
      id,
      `DNS serves ${records.length} DMARC records at ${name}, so receivers apply none (RFC 7489 §6.6.3)`,
      `delete all but the one this stack manages at ${name}`,
    );
  }
  const got = dmarcTags(records[0]);
  const policy = got.get("p");
  if (!policy || !["none", "quarantine", "reject"].includes(policy.toLowerCase())) {
    return fail(
      id,
      `the DMARC record at ${name} has no valid p= policy: ${JSON.stringify(records[0])}`,
      "run pulumi up to restore the record this stack declares",
    );
  }
  if (expected === undefined) {
    return pass(id, `one DMARC record, p=${policy} (the outputs carry no intended policy to compare with)`);
  }
  const want = dmarcTags(expected);
  if (policy.toLowerCase() !== (want.get("p") ?? "").toLowerCase()) {
    return fail(
      id,
      `${name} has p=${policy}, the intended policy is p=${want.get("p")}`,
      "run pulumi up to restore it, or set homelab-mail:dns.dmarcPolicy to the policy you mean",
    );
  }
  const differing = [...new Set([...got.keys(), ...want.keys()])].filter((k) => got.get(k) !== want.get(k));
  if (differing.length > 0) {
    return warn(
      id,
      `${name} has p=${policy} as intended, but ${differing.join(", ")} differ: DNS ${JSON.stringify(records[0])}, the stack ${JSON.stringify(expected)}`,
      "run pulumi up to restore the record this stack declares",
    );
  }
  return pass(id, `one DMARC record, p=${policy} as intended`);
}
