/**
 * What a UniFi DNS record is, independent of the API surface that stores it: the rules a record must
 * satisfy (shared by the stack-config validation and the provider's `check`), its canonical form, and
 * how a declared record compares with one the console lists. No Pulumi and no HTTP in here.
 */
import { isIP } from "node:net";
import * as v from "../../lib/validate";

export const RECORD_TYPES = ["A", "AAAA", "CNAME"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** A record as either surface lists it, normalized; `type` may be one we do not manage (MX, TXT, ...). */
export interface ListedRecord {
  /** The surface's own id: a 24-hex ObjectId (v2) or a UUID (integration). */
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly value: string;
  /** Seconds; 0 when the console reports none (`""`, the v2 read quirk). */
  readonly ttl: number;
  readonly enabled: boolean;
}

/** What we write: a managed record's fields. `ttl` undefined means "the console's default". */
export interface RecordSpec {
  readonly name: string;
  readonly type: RecordType;
  readonly value: string;
  readonly ttl?: number;
  readonly enabled: boolean;
}

/**
 * The integration API caps `domain` at 127 characters (v2's `key` at 128), so one limit serves both
 * surfaces and a record can always be re-created on the other one.
 */
export const MAX_NAME_LENGTH = 127;
/** v2 allows 0-65535 and the integration API 0-86400 (A/AAAA) or 0-604800 (CNAME): the common range. */
export const MAX_TTL = 65535;

/** A fully qualified name; a trailing dot is allowed and dropped (normalizeName). */
export function recordName(value: unknown): v.Problem {
  const name = typeof value === "string" ? value.replace(/\.$/, "") : value;
  const p = v.dnsName(name);
  if (p) return p;
  if ((name as string).length > MAX_NAME_LENGTH)
    return `is ${(name as string).length} characters long; UniFi accepts at most ${MAX_NAME_LENGTH}`;
  return undefined;
}

export function recordType(value: unknown): v.Problem {
  return RECORD_TYPES.includes(value as RecordType)
    ? undefined
    : `must be one of ${RECORD_TYPES.join(", ")}, got ${JSON.stringify(value)}`;
}

/** The value rule depends on the type; an unknown or invalid type leaves the value unjudged. */
export function recordValue(type: unknown, value: unknown): v.Problem {
  if (type === "A")
    return typeof value === "string" && isIP(value) === 4
      ? undefined
      : `must be an IPv4 address for an A record, got ${JSON.stringify(value)}`;
  if (type === "AAAA")
    return typeof value === "string" && isIP(value) === 6
      ? undefined
      : `must be an IPv6 address for an AAAA record, got ${JSON.stringify(value)}`;
  if (type === "CNAME") {
    const p = typeof value === "string" ? v.dnsName(value.replace(/\.$/, "")) : "must be a DNS name";
    return p ? `must be the target name of the CNAME (${p})` : undefined;
  }
  return undefined;
}

export function recordTtl(value: unknown): v.Problem {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_TTL) {
    return `must be a whole number of seconds from 0 to ${MAX_TTL} (0 = the console's default), got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Canonical value: IPv6 compressed and lowercased, names lowercased without a trailing dot. */
export function normalizeValue(type: string, value: string): string {
  if (type === "AAAA" && isIP(value) === 6) return v.normalizeCidr(`${value}/128`).replace(/\/128$/, "");
  if (type === "CNAME") return value.toLowerCase().replace(/\.$/, "");
  return value;
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** The fields of a listed record that differ from the declaration; ttl only when declared. */
export function differences(want: RecordSpec, have: ListedRecord): string[] {
  const out: string[] = [];
  if (normalizeValue(want.type, want.value) !== normalizeValue(have.type, have.value)) out.push("value");
  if (want.ttl !== undefined && want.ttl !== have.ttl) out.push("ttl");
  if (want.enabled !== have.enabled) out.push("enabled");
  return out;
}

/** Records that would clash with `want` on the console: same name and type, or a CNAME beside anything. */
export function clashes(
  want: Pick<RecordSpec, "name" | "type">,
  listed: ListedRecord[],
): { same: ListedRecord[]; other: ListedRecord[] } {
  const named = listed.filter((r) => normalizeName(r.name) === normalizeName(want.name));
  const same = named.filter((r) => r.type === want.type);
  // A CNAME owns its name: dnsmasq refuses a CNAME beside any other record of the same name.
  const other = named.filter((r) => r.type !== want.type && (r.type === "CNAME" || want.type === "CNAME"));
  return { same, other };
}

/** Lenient number parsing for the v2 read quirk: numbers may come back as strings or as `""`. */
export function looseInt(value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return 0;
}

/** Lenient boolean: the console has been seen sending booleans, and some peers send strings. */
export function looseBool(value: unknown, fallback = true): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1" || value === 1) return true;
  if (value === "false" || value === "0" || value === 0) return false;
  return fallback;
}

export function describeRecord(r: { name: string; type: string; value: string }): string {
  return `${r.type} ${r.name} -> ${r.value}`;
}

/** The site's short name (`default`, or the 8-character id UniFi gives further sites); it is a URL path segment on v2. */
export function siteName(value: unknown): v.Problem {
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(value)
    ? undefined
    : `must be the site's short name as in the console's URL (/network/<site>/...), such as default; got ${JSON.stringify(value)}`;
}
