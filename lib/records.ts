/**
 * DNS record content for the mail chain, as Cloudflare stores it. Pure functions, unit-tested.
 *
 * TXT content is presentation text: quoted character-strings of at most 255 bytes joined by one
 * space. Cloudflare splits a longer string itself and returns it split, so a program that sends
 * one long string sees a diff on every run (cloudflare/terraform-provider-cloudflare#6238).
 * Sending the split form Cloudflare returns makes plan, state and API agree.
 */
const MAX_STRING_BYTES = 255;

/** `"<=255 bytes" "<=255 bytes" ...`, split exactly where Cloudflare splits. */
export function formatTxtContent(value: string): string {
  const bytes = Buffer.from(value, "utf8");
  if (/["\\]/.test(value))
    throw new Error(`TXT value must not contain quotes or backslashes: ${value.slice(0, 40)}`);
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length || chunks.length === 0;) {
    let end = Math.min(i + MAX_STRING_BYTES, bytes.length);
    // Never cut a UTF-8 sequence in two (continuation bytes are 10xxxxxx).
    while (end < bytes.length && end > i && (bytes[end] & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(i, end).toString("utf8"));
    if (end === i) break;
    i = end;
  }
  return chunks.map((c) => `"${c}"`).join(" ");
}

/** The value back from its presentation form: the concatenated character-strings. */
export function parseTxtContent(content: string): string {
  return [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join("");
}

/** Mechanisms that cost a DNS lookup under RFC 7208 §4.6.4. */
const LOOKUP_MECHANISMS = /^[+\-~?]?(include:|a($|[:/])|mx($|[:/])|ptr($|:)|exists:|redirect=)/;

/**
 * Nested lookups of includes whose records we know (counted at preview time, without DNS).
 * _spf.google.com includes _netblocks, _netblocks2 and _netblocks3; Cloudflare's is ip4 only.
 */
export const KNOWN_INCLUDE_LOOKUPS: Record<string, number> = {
  "_spf.google.com": 3,
  "_spf.mx.cloudflare.net": 0,
};

export interface SpfPolicy {
  /** Domains to `include:`. */
  readonly includes: string[];
  /** `~all` (soft fail, default) or `-all`. */
  readonly all?: "~all" | "-all";
}

export function spfValue(policy: SpfPolicy): string {
  return ["v=spf1", ...policy.includes.map((d) => `include:${d}`), policy.all ?? "~all"].join(" ");
}

/** DNS lookups an SPF value costs: its own mechanisms plus known nested includes; unknown includes are listed. */
export function spfLookups(value: string): { count: number; unknownIncludes: string[] } {
  let count = 0;
  const unknownIncludes: string[] = [];
  for (const term of value.split(/\s+/).slice(1)) {
    if (!LOOKUP_MECHANISMS.test(term)) continue;
    count++;
    const include = /include:(.+)$/.exec(term)?.[1];
    if (include === undefined) continue;
    if (include in KNOWN_INCLUDE_LOOKUPS) count += KNOWN_INCLUDE_LOOKUPS[include];
    else unknownIncludes.push(include);
  }
  return { count, unknownIncludes };
}

export interface DmarcPolicy {
  readonly policy: "none" | "quarantine" | "reject";
  /** Aggregate report address (rua). */
  readonly reportTo?: string;
}

export function dmarcValue(p: DmarcPolicy): string {
  return ["v=DMARC1", `p=${p.policy}`, ...(p.reportTo ? [`rua=mailto:${p.reportTo}`] : [])].join("; ");
}
