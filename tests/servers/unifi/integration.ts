// The official integration API, /proxy/network/integration/v1 (reference §2): /info with the
// application version, /sites (the UUID behind a short name), and from Network 10.1 on the site's
// dns/policies: typed records, paginated envelope (limit at most 200), POST 201, PUT and DELETE 200,
// GET /{id} 200. Sending `id` or an unknown property is a 400; ttlSeconds ranges per type; a wildcard
// CNAME is refused; `filter` understands `<field>.eq('<value>')` and silently matches nothing otherwise.
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { RecordFields, Store, StoredRecord } from "./store";
import type { Reply } from "./v2";

const STATUS_NAMES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

export function integrationError(status: number, code: string, message: string, requestPath: string): Reply {
  return {
    status,
    body: {
      statusCode: status,
      statusName: STATUS_NAMES[status] ?? "ERROR",
      code,
      message,
      timestamp: new Date().toISOString(),
      requestPath,
      requestId: randomUUID(),
    },
  };
}

/** Policy type -> the v2 record type it shares the store with, and its value field. */
const POLICY: Record<string, { v2: string; field: string; maxTtl?: number }> = {
  A_RECORD: { v2: "A", field: "ipv4Address", maxTtl: 86400 },
  AAAA_RECORD: { v2: "AAAA", field: "ipv6Address", maxTtl: 86400 },
  CNAME_RECORD: { v2: "CNAME", field: "targetDomain", maxTtl: 604800 },
  MX_RECORD: { v2: "MX", field: "mailServerDomain" },
  TXT_RECORD: { v2: "TXT", field: "text" },
  SRV_RECORD: { v2: "SRV", field: "serverDomain" },
  FORWARD_DOMAIN: { v2: "FORWARD_DOMAIN", field: "ipAddress" },
};
const BY_V2 = Object.fromEntries(Object.entries(POLICY).map(([t, p]) => [p.v2, t]));

export function presentPolicy(r: StoredRecord): Record<string, unknown> | undefined {
  const type = BY_V2[r.recordType];
  if (!type) return undefined; // NS, PTR, SOA: not on this surface
  const p = POLICY[type];
  const out: Record<string, unknown> = {
    type,
    id: r.uuid,
    enabled: r.enabled,
    domain: r.key,
    [p.field]: r.value,
  };
  if (p.maxTtl !== undefined) out.ttlSeconds = r.ttl;
  if (type === "MX_RECORD" || type === "SRV_RECORD") out.priority = r.priority;
  out.metadata = { origin: "USER_DEFINED" };
  return out;
}

function parsePolicy(body: unknown, site: string, path: string): RecordFields | Reply {
  const bad = (code: string, message: string) => integrationError(400, code, message, path);
  if (!body || typeof body !== "object" || Array.isArray(body))
    return bad("api.request.invalid-body", "Request body must be a JSON object");
  const b = body as Record<string, unknown>;
  const p = POLICY[String(b.type)];
  if (!p) return bad("api.request.invalid-property", `type must be one of ${Object.keys(POLICY).join(", ")}`);
  const allowed = [
    "type",
    "enabled",
    "domain",
    p.field,
    ...(p.maxTtl !== undefined ? ["ttlSeconds"] : []),
    ...(p.v2 === "MX" || p.v2 === "SRV" ? ["priority"] : []),
  ];
  const unknown = Object.keys(b).find((k) => !allowed.includes(k));
  if (unknown) return bad("api.request.unknown-property", `Unknown property '${unknown}'`);
  if (typeof b.enabled !== "boolean")
    return bad("api.request.missing-property", "Property 'enabled' is required");
  if (typeof b.domain !== "string" || b.domain.length < 1 || b.domain.length > 127)
    return bad("api.request.invalid-property", "domain must be 1 to 127 characters");
  const value = b[p.field];
  if (typeof value !== "string" || value === "")
    return bad("api.request.missing-property", `Property '${p.field}' is required`);
  if ((p.v2 === "A" && isIP(value) !== 4) || (p.v2 === "AAAA" && isIP(value) !== 6))
    return bad("api.request.invalid-property", `${p.field} is not a valid address`);
  if (p.v2 === "CNAME" && b.domain.startsWith("*"))
    return bad("api.request.invalid-property", "A wildcard CNAME record is not supported");
  const ttl = b.ttlSeconds ?? 0;
  if (
    p.maxTtl !== undefined &&
    (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0 || ttl > p.maxTtl)
  ) {
    return bad("api.request.invalid-property", `ttlSeconds must be between 0 and ${p.maxTtl}`);
  }
  return {
    site,
    key: b.domain,
    recordType: p.v2,
    value,
    enabled: b.enabled,
    ttl: Number(ttl),
    priority: Number(b.priority ?? 0),
    weight: 0,
    port: 0,
  };
}

/** `?offset&limit&filter` over a list, as the envelope the API answers. */
function page(items: Record<string, unknown>[], query: URLSearchParams, path: string): Reply {
  const offset = Number(query.get("offset") ?? 0);
  const limit = Number(query.get("limit") ?? 25);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0 || limit > 200) {
    return integrationError(
      400,
      "api.request.invalid-parameter",
      "offset must be >= 0 and limit between 0 and 200",
      path,
    );
  }
  const filter = query.get("filter");
  const m = filter ? /^(\w+)\.eq\('([^']*)'\)$/.exec(filter) : null;
  const matching = filter ? (m ? items.filter((i) => String(i[m[1]]) === m[2]) : []) : items;
  const data = matching.slice(offset, offset + limit);
  return { status: 200, body: { offset, limit, count: data.length, totalCount: matching.length, data } };
}

const isReply = (x: RecordFields | Reply): x is Reply => "status" in x;

/** `rest` is the path below /proxy/network/integration/v1. */
export function handleIntegration(
  store: Store,
  version: string,
  dnsPolicies: boolean,
  method: string,
  rest: string,
  query: URLSearchParams,
  body: unknown,
): Reply {
  const path = `/integration/v1${rest}`;
  const notFound = () =>
    integrationError(404, "api.request.not-found", `No handler for ${method} ${path}`, path);
  if (rest === "/info")
    return method === "GET" ? { status: 200, body: { applicationVersion: version } } : notFound();
  if (rest === "/sites") {
    return method === "GET"
      ? page(
          store.sites.map((s) => ({ id: s.id, internalReference: s.name, name: s.desc })),
          query,
          path,
        )
      : notFound();
  }
  const m = /^\/sites\/([^/]+)\/dns\/policies(?:\/([^/]+))?$/.exec(rest);
  if (!m || !dnsPolicies) return notFound();
  const site = store.siteById(m[1]);
  if (!site) return integrationError(404, "api.site.not-found", `Site ${m[1]} not found`, path);
  const records = store.list(site.name);
  if (m[2] === undefined) {
    if (method === "GET")
      return page(
        records.map(presentPolicy).filter((x): x is Record<string, unknown> => !!x),
        query,
        path,
      );
    if (method !== "POST") return notFound();
    const fields = parsePolicy(body, site.name, path);
    if (isReply(fields)) return fields;
    // Duplicate domain and type with another value: accepted, two rows (reference §2, §6).
    return { status: 201, body: presentPolicy(store.insert(fields)) };
  }
  const record = records.find((r) => r.uuid === m[2] && BY_V2[r.recordType]);
  if (!record) return integrationError(404, "api.dns-policy.not-found", `DNS policy ${m[2]} not found`, path);
  if (method === "GET") return { status: 200, body: presentPolicy(record) };
  if (method === "PUT") {
    const fields = parsePolicy(body, site.name, path);
    if (isReply(fields)) return fields;
    return { status: 200, body: presentPolicy(store.update(record, fields)) };
  }
  if (method === "DELETE") {
    store.remove(record);
    return { status: 200 };
  }
  return notFound();
}
