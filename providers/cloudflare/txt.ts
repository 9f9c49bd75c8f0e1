/**
 * Which TXT records at a name are "the same record" as a declared one, and whether taking one over
 * loses anything. Pure, unit-tested. At one name there must be exactly one record of each kind:
 * two `v=spf1` records make receivers answer permerror (RFC 7208 §4.5; Cloudflare: "Having multiple
 * SPF records ... will prevent Email Routing from working properly", email-routing-spf-records.mdx),
 * two DKIM keys at one selector fail verification at many receivers (issue 13).
 */
import { parseTxtContent } from "../../lib/records";

export type TxtKind = "spf" | "dkim" | "dmarc";
export const TXT_KINDS: TxtKind[] = ["spf", "dkim", "dmarc"];

/** The value DNS serves: quoted strings joined, or the verbatim text of an unquoted record (made in the dashboard). */
export function txtValue(content: string): string {
  return /^\s*"/.test(content) ? parseTxtContent(content) : content.trim();
}

const PREFIX: Record<TxtKind, RegExp> = {
  spf: /^v=spf1(\s|$)/i,
  dkim: /^v=DKIM1\s*(;|$)/i,
  dmarc: /^v=DMARC1\s*(;|$)/i,
};

export function isKind(kind: TxtKind, content: string): boolean {
  return PREFIX[kind].test(txtValue(content));
}

/** SPF terms lower-cased; DKIM/DMARC tag=value pairs with the whitespace around them dropped (RFC 6376 §3.2). */
function canonical(kind: TxtKind, value: string): string {
  if (kind === "spf") return value.trim().toLowerCase().split(/\s+/).join(" ");
  return value
    .split(";")
    .map((t) => t.replace(/\s+/g, ""))
    .filter((t) => t !== "")
    .join(";");
}

export function sameMeaning(kind: TxtKind, a: string, b: string): boolean {
  return canonical(kind, txtValue(a)) === canonical(kind, txtValue(b));
}

/** The `include:` domains of an SPF value. */
export function spfIncludes(value: string): string[] {
  return txtValue(value)
    .toLowerCase()
    .split(/\s+/)
    .flatMap((t) => /^\+?include:(.+)$/.exec(t)?.[1] ?? []);
}

/**
 * Whether a live record of this kind may be overwritten with the declared content without the
 * adoptExisting switch: an identical one, or an SPF record whose every term the declared one
 * also has (Cloudflare's own `v=spf1 include:_spf.mx.cloudflare.net ~all`, the guide's record).
 */
export function losesNothing(kind: TxtKind, live: string, declared: string): boolean {
  if (sameMeaning(kind, live, declared)) return true;
  if (kind !== "spf") return false;
  const want = new Set(canonical("spf", txtValue(declared)).split(" "));
  return canonical("spf", txtValue(live))
    .split(" ")
    .every((t) => want.has(t) || /^[~?-]all$/.test(t));
}
