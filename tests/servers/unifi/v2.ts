// The UI's private v2 API, /proxy/network/v2/api/site/{site}/static-dns (reference §1): a bare JSON
// array on GET, the created object on POST, PUT /{id} (disputed, so switchable to 405), DELETE /{id}
// with an empty 200, and 405 on GET /{id}. Writes are strict about fields per record type (DNSControl
// `recordToLegacyMap`); reads carry the number quirk (numbers as strings, unset ones as "").
// Error bodies are `{code, message, errorCode}`; the exact codes are not established, so these are
// plausible names and clients may rely only on the status.
import { isIP } from "node:net";
import type { Store, StoredRecord, RecordFields } from "./store";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface V2Options {
  /** false: PUT /static-dns/{id} answers 405, as two 2026 sources report for some consoles. */
  put: boolean;
  /** Numbers read back as strings, and zero/unset ones as "" (go-unifi's emptyStringInt). */
  numbersAsStrings: boolean;
}

const TYPES = ["A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT"];
/** Fields a write may carry besides enabled, key, record_type and value. */
const EXTRA: Record<string, string[]> = {
  A: ["ttl"],
  AAAA: ["ttl"],
  CNAME: ["ttl"],
  NS: ["ttl"],
  PTR: ["ttl"],
  SOA: ["ttl"],
  MX: ["priority"],
  TXT: [],
  SRV: ["priority", "weight", "port"],
};

export function v2Error(status: number, code: string, message: string): Reply {
  return { status, body: { code, message, errorCode: status } };
}

export function presentV2(r: StoredRecord, opts: V2Options): Record<string, unknown> {
  const num = (n: number) => (opts.numbersAsStrings ? (n === 0 ? "" : String(n)) : n);
  return {
    _id: r.v2Id,
    key: r.key,
    value: r.value,
    record_type: r.recordType,
    enabled: r.enabled,
    ttl: num(r.ttl),
    priority: num(r.priority),
    weight: num(r.weight),
    port: num(r.port),
  };
}

/** The fields of a v2 write, or the 400 the console answers. */
function parseWrite(body: unknown, site: string, id?: string): RecordFields | Reply {
  if (!body || typeof body !== "object" || Array.isArray(body))
    return v2Error(400, "api.err.InvalidPayload", "the body must be a JSON object");
  const b = body as Record<string, unknown>;
  if (id === undefined && "_id" in b)
    return v2Error(400, "api.err.InvalidPayload", "_id must not be sent when creating");
  if (id !== undefined && "_id" in b && b._id !== id)
    return v2Error(400, "api.err.InvalidPayload", "_id does not match the path");
  const type = b.record_type;
  if (typeof type !== "string" || !TYPES.includes(type))
    return v2Error(400, "api.err.InvalidRecordType", `record_type must be one of ${TYPES.join(" ")}`);
  const allowed = ["_id", "enabled", "key", "record_type", "value", ...EXTRA[type]];
  const extra = Object.keys(b).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    return v2Error(400, "api.err.InvalidPayload", `${extra.join(", ")} cannot be set on a ${type} record`);
  if (typeof b.key !== "string" || b.key.length < 1 || b.key.length > 128)
    return v2Error(400, "api.err.InvalidKey", "key must be 1 to 128 characters");
  if (typeof b.value !== "string" || b.value.length < 1 || b.value.length > 256)
    return v2Error(400, "api.err.InvalidValue", "value must be 1 to 256 characters");
  if ((type === "A" && isIP(b.value) !== 4) || (type === "AAAA" && isIP(b.value) !== 6)) {
    return v2Error(
      400,
      "api.err.InvalidValue",
      `value must be an IPv${type === "A" ? 4 : 6} address for an ${type} record`,
    );
  }
  if (typeof b.enabled !== "boolean")
    return v2Error(400, "api.err.InvalidPayload", "enabled must be true or false");
  const ints: Record<string, number> = {};
  for (const f of ["ttl", "priority", "weight", "port"]) {
    const n = b[f] ?? 0;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535)
      return v2Error(400, "api.err.InvalidValue", `${f} must be a whole number from 0 to 65535`);
    ints[f] = n;
  }
  return {
    site,
    key: b.key,
    recordType: type,
    value: b.value,
    enabled: b.enabled,
    ttl: ints.ttl,
    priority: ints.priority,
    weight: ints.weight,
    port: ints.port,
  };
}

const isReply = (x: RecordFields | Reply): x is Reply => "status" in x;

export function handleV2(
  store: Store,
  opts: V2Options,
  method: string,
  site: string,
  id: string | undefined,
  body: unknown,
): Reply {
  if (!store.site(site)) return v2Error(400, "api.err.NoSiteContext", `site ${site} does not exist`);
  if (id === undefined) {
    if (method === "GET") return { status: 200, body: store.list(site).map((r) => presentV2(r, opts)) };
    if (method !== "POST") return v2Error(405, "api.err.MethodNotAllowed", `${method} is not supported`);
    const fields = parseWrite(body, site);
    if (isReply(fields)) return fields;
    // Accepted even when the key and type already exist: the console does not check (reference §6).
    return { status: 200, body: presentV2(store.insert(fields), opts) };
  }
  if (method === "GET")
    return v2Error(405, "api.err.MethodNotAllowed", "GET is not supported on a single record");
  const record = store.list(site).find((r) => r.v2Id === id);
  if (method === "PUT") {
    if (!opts.put) return v2Error(405, "api.err.MethodNotAllowed", "PUT is not supported");
    if (!record) return v2Error(404, "api.err.ObjectNotFound", `static-dns ${id} not found`);
    const fields = parseWrite(body, site, id);
    if (isReply(fields)) return fields;
    return { status: 200, body: presentV2(store.update(record, fields), opts) };
  }
  if (method === "DELETE") {
    if (!record) return v2Error(404, "api.err.ObjectNotFound", `static-dns ${id} not found`);
    store.remove(record);
    return { status: 200 };
  }
  return v2Error(405, "api.err.MethodNotAllowed", `${method} is not supported`);
}
