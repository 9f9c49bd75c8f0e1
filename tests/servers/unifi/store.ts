// The console's one record store behind both surfaces (reference §2: "records created on one surface
// appear on the other, under different ids"): every record has a v2 ObjectId and an integration UUID.
// Duplicates are accepted, as on the real console (§6); the store keeps the evidence instead.
import { randomBytes, randomUUID } from "node:crypto";

export interface Site {
  /** The short name: v2's `{site}` and the integration API's `internalReference`. */
  readonly name: string;
  readonly id: string;
  readonly desc: string;
}

export interface StoredRecord {
  readonly v2Id: string;
  readonly uuid: string;
  site: string;
  key: string;
  /** v2's names: A AAAA CNAME MX NS PTR SOA SRV TXT (and FORWARD_DOMAIN from the integration API). */
  recordType: string;
  value: string;
  ttl: number;
  enabled: boolean;
  priority: number;
  weight: number;
  port: number;
}

export type RecordFields = Omit<StoredRecord, "v2Id" | "uuid">;

/** A Mongo ObjectId: 4 bytes of seconds, then 8 random bytes, as 24 hex digits. */
function objectId(): string {
  return (
    Math.floor(Date.now() / 1000)
      .toString(16)
      .padStart(8, "0") + randomBytes(8).toString("hex")
  );
}

export class Store {
  readonly sites: Site[] = [{ name: "default", id: randomUUID(), desc: "Default" }];
  readonly records: StoredRecord[] = [];
  /** Most records sharing one name and type at any moment after a write (1 = never a duplicate). */
  peakSameName = 0;

  site(name: string): Site | undefined {
    return this.sites.find((s) => s.name === name);
  }

  siteById(id: string): Site | undefined {
    return this.sites.find((s) => s.id === id);
  }

  addSite(name: string, desc = name): Site {
    const site = { name, id: randomUUID(), desc };
    this.sites.push(site);
    return site;
  }

  list(site: string): StoredRecord[] {
    return this.records.filter((r) => r.site === site);
  }

  insert(fields: RecordFields): StoredRecord {
    const record: StoredRecord = { v2Id: objectId(), uuid: randomUUID(), ...fields };
    this.records.push(record);
    this.observe();
    return record;
  }

  update(record: StoredRecord, fields: Partial<RecordFields>): StoredRecord {
    Object.assign(record, fields);
    this.observe();
    return record;
  }

  remove(record: StoredRecord): void {
    const i = this.records.indexOf(record);
    if (i >= 0) this.records.splice(i, 1);
  }

  /** A record made by hand in the console's UI (for tests): A, AAAA or CNAME on the default site. */
  addByHand(r: {
    key: string;
    type: string;
    value: string;
    ttl?: number;
    enabled?: boolean;
    site?: string;
  }): StoredRecord {
    return this.insert({
      site: r.site ?? "default",
      key: r.key,
      recordType: r.type,
      value: r.value,
      ttl: r.ttl ?? 0,
      enabled: r.enabled ?? true,
      priority: 0,
      weight: 0,
      port: 0,
    });
  }

  find(key: string, type?: string): StoredRecord[] {
    return this.records.filter(
      (r) => r.key.toLowerCase() === key.toLowerCase() && (type === undefined || r.recordType === type),
    );
  }

  /** Groups of two or more records of one site, name and type: what stops dnsmasq on a real gateway. */
  duplicates(): StoredRecord[][] {
    const groups = new Map<string, StoredRecord[]>();
    for (const r of this.records) {
      const k = `${r.site}|${r.key.toLowerCase()}|${r.recordType}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    return [...groups.values()].filter((g) => g.length > 1);
  }

  clear(): void {
    this.records.length = 0;
    this.sites.splice(1);
    this.peakSameName = 0;
  }

  private observe(): void {
    const most = Math.max(1, ...this.duplicates().map((g) => g.length));
    this.peakSameName = Math.max(this.peakSameName, most);
  }
}
