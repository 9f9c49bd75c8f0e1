/**
 * The UI's private v2 API, `/proxy/network/v2/api/site/{site}/static-dns` (Network 8.2+): a bare JSON
 * array, Mongo ObjectId ids, the site by its short name. Quirks handled here (reference §1): numbers
 * may read back as strings or as `""`; a single-record GET answers 405, so everything lists; and PUT
 * is disputed, so a 405 (or 404) on PUT reports "unsupported" and the caller deletes and re-creates.
 */
import { UnifiApiError, type UnifiClient } from "./client";
import { looseBool, looseInt, type ListedRecord, type RecordSpec } from "./records";
import type { DnsSurface } from "./surface";

type Raw = Record<string, unknown>;

export class StaticDnsSurface implements DnsSurface {
  readonly api = "v2" as const;
  /** Learned once per console: after a 405 on PUT, updates go straight to delete-and-create. */
  private putUnsupported = false;
  private readonly base: string;

  constructor(
    private readonly client: UnifiClient,
    site: string,
  ) {
    this.base = `/proxy/network/v2/api/site/${encodeURIComponent(site)}/static-dns`;
  }

  async list(): Promise<ListedRecord[]> {
    const r = await this.client.request<unknown>("GET", this.base);
    if (!Array.isArray(r.data)) throw this.unexpected("GET", this.base, r.data);
    return r.data.filter((x): x is Raw => !!x && typeof x === "object").map(fromV2);
  }

  async create(spec: RecordSpec): Promise<ListedRecord> {
    const r = await this.client.request<unknown>("POST", this.base, toV2(spec));
    return this.recordIn(r.data, "POST", this.base) ?? this.findCreated(spec);
  }

  async update(id: string, spec: RecordSpec): Promise<ListedRecord | "unsupported"> {
    if (this.putUnsupported) return "unsupported";
    const path = `${this.base}/${encodeURIComponent(id)}`;
    const r = await this.client.request<unknown>("PUT", path, toV2(spec), [404, 405]);
    if (r.status === 405) this.putUnsupported = true;
    if (r.status === 404 || r.status === 405) return "unsupported";
    return (
      this.recordIn(r.data, "PUT", path) ?? (await this.list()).find((x) => x.id === id) ?? "unsupported"
    );
  }

  async remove(id: string): Promise<void> {
    const path = `${this.base}/${encodeURIComponent(id)}`;
    try {
      await this.client.request("DELETE", path, undefined, [404]);
    } catch (e) {
      // What v2 answers for an id it no longer has is not established (404 or a 400): judge by the list.
      if (!(e instanceof UnifiApiError && e.status === 400) || (await this.list()).some((x) => x.id === id))
        throw e;
    }
  }

  /** The answer's record: an object, or (as some v2 endpoints answer) a one-element array. */
  private recordIn(data: unknown, method: string, path: string): ListedRecord | undefined {
    const raw = Array.isArray(data) ? data[0] : data;
    if (raw && typeof raw === "object" && typeof (raw as Raw)._id === "string") return fromV2(raw as Raw);
    if (data !== undefined && data !== null && data !== "") throw this.unexpected(method, path, data);
    return undefined;
  }

  private async findCreated(spec: RecordSpec): Promise<ListedRecord> {
    const found = (await this.list()).filter(
      (x) => x.name.toLowerCase() === spec.name && x.type === spec.type,
    );
    if (found.length === 1) return found[0];
    throw this.unexpected(
      "POST",
      this.base,
      `an empty answer, and ${found.length} records named ${spec.name} listed after it`,
    );
  }

  private unexpected(method: string, path: string, data: unknown): UnifiApiError {
    return new UnifiApiError({
      method,
      path,
      status: 200,
      serverMessage: `unexpected answer ${JSON.stringify(data)?.slice(0, 200)}`,
    });
  }
}

function fromV2(raw: Raw): ListedRecord {
  return {
    id: String(raw._id),
    name: String(raw.key ?? ""),
    type: String(raw.record_type ?? ""),
    value: String(raw.value ?? ""),
    ttl: looseInt(raw.ttl),
    enabled: looseBool(raw.enabled),
  };
}

/**
 * Only the fields v2 takes for A, AAAA and CNAME (DNSControl: "UniFi is strict about which fields can
 * be set for each record type"). `enabled` always goes out; ttl 0 is the console's default ("auto").
 */
function toV2(spec: RecordSpec): Raw {
  return {
    key: spec.name,
    record_type: spec.type,
    value: spec.value,
    enabled: spec.enabled,
    ttl: spec.ttl ?? 0,
  };
}
