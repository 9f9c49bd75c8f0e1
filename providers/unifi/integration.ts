/**
 * The official integration API's DNS policies, `/proxy/network/integration/v1/sites/{siteId}/dns/policies`
 * (Network 10.1+): typed records (`A_RECORD` with `ipv4Address`, ...), UUID ids, the site by UUID, a
 * paginated envelope `{offset, limit, count, totalCount, data}` with `limit` at most 200, a real PUT.
 */
import { UnifiApiError, type UnifiClient } from "./client";
import { looseBool, looseInt, type ListedRecord, type RecordSpec, type RecordType } from "./records";
import type { DnsSurface } from "./surface";

export const INTEGRATION = "/proxy/network/integration/v1";
const PAGE = 200;

const POLICY_TYPE: Record<RecordType, string> = { A: "A_RECORD", AAAA: "AAAA_RECORD", CNAME: "CNAME_RECORD" };
const VALUE_FIELD: Record<RecordType, string> = {
  A: "ipv4Address",
  AAAA: "ipv6Address",
  CNAME: "targetDomain",
};
/** Where the other policy types keep their value: read for conflict checks, never written. */
const OTHER_VALUE_FIELDS = ["mailServerDomain", "text", "serverDomain", "ipAddress"];

/**
 * Without a declared ttl the v2 surface sends 0 (the UI's "auto"); what 0 means on this surface is
 * not established, so it sends the 300 s of the vendor's own example and of DNSControl instead.
 */
export const DEFAULT_POLICY_TTL = 300;

type Raw = Record<string, unknown>;
interface Page {
  offset?: unknown;
  count?: unknown;
  totalCount?: unknown;
  data?: unknown;
}

/** Every item of a paginated collection, page by page. */
export async function listAll(client: UnifiClient, path: string): Promise<Raw[]> {
  const out: Raw[] = [];
  for (let offset = 0; ;) {
    const sep = path.includes("?") ? "&" : "?";
    const r = await client.request<Page>("GET", `${path}${sep}offset=${offset}&limit=${PAGE}`);
    if (!r.data || !Array.isArray(r.data.data)) {
      throw new UnifiApiError({
        method: "GET",
        path,
        status: r.status,
        serverMessage: `unexpected answer ${JSON.stringify(r.data)?.slice(0, 200)}`,
      });
    }
    const items = r.data.data.filter((x): x is Raw => !!x && typeof x === "object");
    out.push(...items);
    offset += items.length;
    const total = looseInt(r.data.totalCount);
    if (items.length === 0 || offset >= total) return out;
  }
}

export class DnsPolicySurface implements DnsSurface {
  readonly api = "integration" as const;
  private readonly base: string;

  constructor(
    private readonly client: UnifiClient,
    siteId: string,
  ) {
    this.base = `${INTEGRATION}/sites/${encodeURIComponent(siteId)}/dns/policies`;
  }

  async list(): Promise<ListedRecord[]> {
    return (await listAll(this.client, this.base)).map(fromPolicy);
  }

  async create(spec: RecordSpec): Promise<ListedRecord> {
    const r = await this.client.request<Raw>("POST", this.base, toPolicy(spec));
    return checked(r.data, "POST", this.base);
  }

  async update(id: string, spec: RecordSpec): Promise<ListedRecord | "unsupported"> {
    const path = `${this.base}/${encodeURIComponent(id)}`;
    const r = await this.client.request<Raw>("PUT", path, toPolicy(spec), [404]);
    // 404: deleted since it was listed; the caller's delete-then-create puts it back.
    return r.status === 404 ? "unsupported" : checked(r.data, "PUT", path);
  }

  async remove(id: string): Promise<void> {
    await this.client.request("DELETE", `${this.base}/${encodeURIComponent(id)}`, undefined, [404]);
  }
}

/** The echoed record of a write; anything without an id is not an answer this surface gives. */
function checked(raw: unknown, method: string, path: string): ListedRecord {
  if (raw && typeof raw === "object" && typeof (raw as Raw).id === "string") return fromPolicy(raw as Raw);
  throw new UnifiApiError({
    method,
    path,
    status: 200,
    serverMessage: `unexpected answer ${JSON.stringify(raw)?.slice(0, 200)}`,
  });
}

function fromPolicy(raw: Raw): ListedRecord {
  const type = String(raw.type ?? "").replace(/_RECORD$/, "");
  const field = VALUE_FIELD[type as RecordType];
  const value = field ? raw[field] : OTHER_VALUE_FIELDS.map((f) => raw[f]).find((x) => typeof x === "string");
  return {
    id: String(raw.id),
    name: String(raw.domain ?? ""),
    type,
    value: String(value ?? ""),
    ttl: looseInt(raw.ttlSeconds),
    enabled: looseBool(raw.enabled),
  };
}

/** The body the vendor documents; sending `id` or an unknown property is a 400 on this surface. */
function toPolicy(spec: RecordSpec): Raw {
  return {
    type: POLICY_TYPE[spec.type],
    enabled: spec.enabled,
    domain: spec.name,
    [VALUE_FIELD[spec.type]]: spec.value,
    ttlSeconds: spec.ttl ?? DEFAULT_POLICY_TTL,
  };
}
