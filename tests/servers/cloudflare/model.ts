/**
 * The Cloudflare objects the mail chain touches, in memory, with the behaviour read from Cloudflare's
 * API schema (cloudflare/api-schemas), terraform-provider-cloudflare v5.22.0 and its issues:
 * zones' DNS records, Email Routing settings and DNS (enable, unlock, disable), routing rules, and the
 * account's destination addresses. What the sources leave open is a start option, so tests run both.
 */
import { randomBytes } from "node:crypto";
import { CfError, refusals } from "./errors";

export interface ModelOptions {
  /**
   * `name` = the zone apex on enable. "refuse": 422/2007 as terraform-provider-cloudflare#5890 reports;
   * "accept": as the schema's "Domain of your zone" reads. Default "refuse".
   */
  readonly apexName?: "accept" | "refuse";
  /**
   * What enabling does to an existing apex SPF record. "replace": its content becomes Cloudflare's own
   * (terraform-provider-cloudflare#6444); "add": a second SPF record unless one holds Cloudflare's
   * include; "keep": added only where none exists. Default "replace".
   */
  readonly spfOnEnable?: "replace" | "add" | "keep";
  /** Zone names made at start (empty zones). Default example.net and example.org. */
  readonly zones?: string[];
  /** Ids for those zones (32 hex each; default random), so a stack config can name them. */
  readonly zoneIds?: string[];
  /** The account's id (32 hex; default random). */
  readonly accountId?: string;
}

export interface DnsRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority?: number;
  proxied: boolean;
  proxiable: boolean;
  comment: string | null;
  tags: string[];
  created_on: string;
  modified_on: string;
  meta: { email_routing?: boolean; read_only?: boolean };
}

export interface Rule {
  id: string;
  tag: string;
  name: string;
  enabled: boolean;
  priority: number;
  matchers: { type: string; field?: string; value?: string }[];
  actions: { type: string; value?: string[] }[];
}

export interface Address {
  id: string;
  tag: string;
  email: string;
  verified: string | null;
  created: string;
  modified: string;
}

interface Zone {
  id: string;
  name: string;
  records: DnsRecord[];
  rules: Rule[];
  routing: { enabled: boolean; locked: boolean; name: string; created: string; modified: string; id: string };
}

/** Email Routing's SPF and MX (cloudflare-docs email-routing/postmaster.mdx; route1..3 in real zones). */
export const CLOUDFLARE_SPF = "v=spf1 include:_spf.mx.cloudflare.net ~all";
export const CLOUDFLARE_MX = [
  "route1.mx.cloudflare.net",
  "route2.mx.cloudflare.net",
  "route3.mx.cloudflare.net",
];

const hex = () => randomBytes(16).toString("hex");
const now = () => new Date().toISOString();
/** TXT content as DNS serves it: quoted strings joined, or the verbatim text when unquoted. */
export const txtValue = (content: string) =>
  /^\s*"/.test(content) ? [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join("") : content;
export const isSpf = (r: DnsRecord) => r.type === "TXT" && /^v=spf1(\s|$)/i.test(txtValue(r.content));

export class CloudflareModel {
  readonly accountId: string;
  readonly zones: Zone[];
  readonly addresses: Address[] = [];
  private readonly opts: Required<ModelOptions>;

  constructor(opts: ModelOptions = {}) {
    this.opts = {
      apexName: opts.apexName ?? "refuse",
      spfOnEnable: opts.spfOnEnable ?? "replace",
      zones: opts.zones ?? ["example.net", "example.org"],
      zoneIds: opts.zoneIds ?? [],
      accountId: opts.accountId ?? hex(),
    };
    this.accountId = this.opts.accountId;
    this.zones = this.opts.zones.map((name, i) => ({
      id: this.opts.zoneIds[i] ?? hex(),
      name,
      records: [],
      rules: [],
      routing: { enabled: false, locked: false, name, created: now(), modified: now(), id: hex() },
    }));
  }

  zone(id: string): Zone {
    const z = this.zones.find((x) => x.id === id);
    if (!z) throw refusals.notFound("zone");
    return z;
  }

  // ---- DNS records (api-schemas `dns-records-for-a-zone-*`) ----

  createRecord(zoneId: string, body: Record<string, unknown>): DnsRecord {
    const z = this.zone(zoneId);
    const r = this.checkRecord(z, body);
    if (z.records.some((o) => o.type === r.type && o.name === r.name && o.content === r.content))
      throw refusals.identicalRecord();
    const rec: DnsRecord = { ...r, id: hex(), created_on: now(), modified_on: now(), meta: {} };
    z.records.push(rec);
    return rec;
  }

  record(zoneId: string, id: string): DnsRecord {
    const r = this.zone(zoneId).records.find((x) => x.id === id);
    if (!r) throw refusals.notFound("dns record");
    return r;
  }

  /** PATCH merges the given fields, PUT replaces them all: both refused on a record Email Routing locked. */
  editRecord(zoneId: string, id: string, body: Record<string, unknown>, replace: boolean): DnsRecord {
    const z = this.zone(zoneId);
    const old = this.record(zoneId, id);
    this.refuseLocked(z, old);
    const merged = replace ? body : { ...old, ...body };
    const r = this.checkRecord(z, merged);
    if (
      z.records.some((o) => o.id !== id && o.type === r.type && o.name === r.name && o.content === r.content)
    )
      throw refusals.identicalRecord();
    Object.assign(old, r, { modified_on: now() });
    return old;
  }

  deleteRecord(zoneId: string, id: string): { id: string } {
    const z = this.zone(zoneId);
    this.refuseLocked(z, this.record(zoneId, id));
    z.records = z.records.filter((r) => r.id !== id);
    return { id };
  }

  private refuseLocked(z: Zone, r: DnsRecord): void {
    if (r.meta.read_only && z.routing.enabled && z.routing.locked) throw refusals.locked();
  }

  private checkRecord(z: Zone, b: Record<string, unknown>) {
    const type = String(b.type ?? "");
    if (!["A", "AAAA", "CNAME", "MX", "TXT"].includes(type))
      throw refusals.invalid(`DNS Validation Error: type ${type}`);
    if (typeof b.content !== "string" || b.content === "")
      throw refusals.invalid("DNS Validation Error: content is required");
    const ttl = b.ttl === undefined ? 1 : Number(b.ttl);
    if (!(ttl === 1 || (ttl >= 30 && ttl <= 86400)))
      throw refusals.invalid("DNS Validation Error: invalid TTL");
    let name = String(b.name ?? "")
      .toLowerCase()
      .replace(/\.$/, "");
    if (name === "@" || name === "") name = z.name;
    else if (name !== z.name && !name.endsWith(`.${z.name}`)) name = `${name}.${z.name}`;
    let content = b.content;
    // A single quoted string over 255 bytes is stored split (terraform-provider-cloudflare#6238, libdns/cloudflare#32).
    const single = type === "TXT" ? /^"([^"]*)"$/.exec(content) : null;
    if (single && Buffer.byteLength(single[1]) > 255) {
      const parts = single[1].match(/[\s\S]{1,255}/g) ?? [];
      content = parts.map((p) => `"${p}"`).join(" ");
    }
    return {
      zone_id: z.id,
      zone_name: z.name,
      name,
      type,
      content,
      ttl,
      ...(type === "MX" ? { priority: Number(b.priority ?? 0) } : {}),
      proxied: false,
      proxiable: false,
      comment: typeof b.comment === "string" ? b.comment : null,
      tags: Array.isArray(b.tags) ? (b.tags as string[]) : [],
    };
  }

  // ---- Email Routing settings and DNS ----

  settings(zoneId: string) {
    const z = this.zone(zoneId);
    return {
      id: z.routing.id,
      tag: z.routing.id,
      name: z.routing.name,
      enabled: z.routing.enabled,
      created: z.routing.created,
      modified: z.routing.modified,
      skip_wizard: true,
      status: this.status(z),
    };
  }

  /** "ready" when the routed name has exactly Cloudflare's MX and one SPF holding its include. */
  private status(z: Zone): string {
    if (!z.routing.enabled) return "unconfigured";
    const at = z.routing.name;
    const mx = z.records.filter((r) => r.type === "MX" && r.name === at);
    const spf = z.records.filter((r) => r.name === at && isSpf(r));
    const ok =
      mx.length === CLOUDFLARE_MX.length &&
      mx.every((r) => CLOUDFLARE_MX.includes(r.content)) &&
      spf.length === 1 &&
      /include:_spf\.mx\.cloudflare\.net/i.test(txtValue(spf[0].content));
    if (ok) return z.routing.locked ? "ready" : "unlocked";
    return z.routing.locked ? "misconfigured/locked" : "misconfigured";
  }

  /** POST /zones/{zone}/email/routing/dns: "Enable Email Routing ... Add and lock the necessary MX and SPF records". */
  enable(zoneId: string, body: { name?: unknown }) {
    const z = this.zone(zoneId);
    const name = body.name === undefined ? z.name : String(body.name).toLowerCase();
    if (
      name === z.name
        ? body.name !== undefined && this.opts.apexName === "refuse"
        : !name.endsWith(`.${z.name}`)
    )
      throw refusals.notSubdomain(z.name);
    if (z.routing.enabled) return this.settings(zoneId);
    const add = (type: string, rname: string, content: string, priority?: number) =>
      z.records.push({
        ...this.checkRecord(z, { type, name: rname, content, priority, ttl: 1 }),
        id: hex(),
        created_on: now(),
        modified_on: now(),
        meta: { email_routing: true, read_only: type === "MX" },
      });
    const priorities = [13, 37, 86];
    CLOUDFLARE_MX.forEach((mx, i) => add("MX", name, mx, priorities[i]));
    const spf = z.records.filter((r) => r.name === name && isSpf(r));
    const mode = this.opts.spfOnEnable;
    if (spf.length > 0 && mode === "replace") {
      Object.assign(spf[0], { content: CLOUDFLARE_SPF, modified_on: now(), meta: { email_routing: true } });
    } else if (
      spf.length === 0 ||
      (mode === "add" && !spf.some((r) => /include:_spf\.mx\.cloudflare\.net/i.test(txtValue(r.content))))
    ) {
      add("TXT", name, CLOUDFLARE_SPF);
    }
    add(
      "TXT",
      `cf2024-1._domainkey.${name}`,
      "v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
    );
    Object.assign(z.routing, { enabled: true, locked: true, name, modified: now() });
    return this.settings(zoneId);
  }

  /** PATCH /zones/{zone}/email/routing/dns: "Unlock MX Records previously locked by Email Routing". */
  unlock(zoneId: string) {
    const z = this.zone(zoneId);
    Object.assign(z.routing, { locked: false, modified: now() });
    return this.settings(zoneId);
  }

  /** DELETE .../email/routing/dns (and the deprecated POST .../disable): routing off, its MX records gone. */
  disable(zoneId: string) {
    const z = this.zone(zoneId);
    z.records = z.records.filter((r) => !(r.meta.email_routing && r.type === "MX"));
    Object.assign(z.routing, { enabled: false, locked: false, modified: now() });
    return this.settings(zoneId);
  }

  /** GET .../email/routing/dns: the records the zone needs (what `getEmailRoutingDns` returns). */
  neededRecords(zoneId: string) {
    const z = this.zone(zoneId);
    return z.records
      .filter((r) => r.meta.email_routing)
      .map((r) => ({ name: r.name, type: r.type, content: r.content, priority: r.priority, ttl: r.ttl }));
  }

  // ---- Rules (api-schemas `email-routing-routing-rules-*`) ----

  createRule(zoneId: string, body: Record<string, unknown>): Rule {
    const z = this.zone(zoneId);
    const id = hex();
    const rule = { id, tag: id, ...this.checkRule(body) };
    z.rules.push(rule);
    return rule;
  }

  rule(zoneId: string, id: string): Rule {
    const r = this.zone(zoneId).rules.find((x) => x.id === id);
    if (!r) throw refusals.notFound("rule");
    return r;
  }

  updateRule(zoneId: string, id: string, body: Record<string, unknown>): Rule {
    return Object.assign(this.rule(zoneId, id), this.checkRule(body));
  }

  deleteRule(zoneId: string, id: string): Rule {
    const z = this.zone(zoneId);
    const r = this.rule(zoneId, id);
    z.rules = z.rules.filter((x) => x.id !== id);
    return r;
  }

  private checkRule(b: Record<string, unknown>): Omit<Rule, "id" | "tag"> {
    const matchers = b.matchers as Rule["matchers"];
    const actions = b.actions as Rule["actions"];
    if (!Array.isArray(matchers) || matchers.length === 0) throw refusals.invalid("matchers: required");
    if (!Array.isArray(actions) || actions.length === 0) throw refusals.invalid("actions: required");
    for (const m of matchers) {
      if (m.type === "literal" && (m.field !== "to" || typeof m.value !== "string"))
        throw refusals.invalid("matchers: a literal matcher needs field 'to' and a value");
      if (m.type !== "literal" && m.type !== "all")
        throw refusals.invalid(`matchers: unknown type ${m.type}`);
    }
    for (const a of actions) {
      if (a.type === "forward") {
        // "Forward actions require exactly one verified destination address" (schema).
        if (!Array.isArray(a.value) || a.value.length !== 1) throw refusals.unverified();
        const dest = this.addresses.find((x) => x.email === String(a.value![0]).toLowerCase());
        if (!dest?.verified) throw refusals.unverified();
      } else if (a.type !== "drop" && a.type !== "worker")
        throw refusals.invalid(`actions: unknown type ${a.type}`);
    }
    const priority = b.priority === undefined ? 0 : Number(b.priority);
    if (!(priority >= 0)) throw refusals.invalid("priority: must be 0 or more");
    return {
      name: typeof b.name === "string" ? b.name : "",
      enabled: b.enabled === undefined ? true : Boolean(b.enabled),
      priority,
      matchers,
      actions,
    };
  }

  // ---- Destination addresses (account level) ----

  createAddress(accountId: string, body: { email?: unknown }): Address {
    this.account(accountId);
    const email = String(body.email ?? "").toLowerCase();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw refusals.invalid("email: not a valid email address");
    if (this.addresses.some((a) => a.email === email)) throw refusals.addressExists();
    const id = hex();
    const a = { id, tag: id, email, verified: null, created: now(), modified: now() };
    this.addresses.push(a);
    return a;
  }

  address(accountId: string, id: string): Address {
    this.account(accountId);
    const a = this.addresses.find((x) => x.id === id);
    if (!a) throw refusals.notFound("destination address");
    return a;
  }

  /** "Deleting a destination automatically disables all email rules that use that email address" (email-routing-addresses.mdx). */
  deleteAddress(accountId: string, id: string): Address {
    const a = this.address(accountId, id);
    this.addresses.splice(this.addresses.indexOf(a), 1);
    for (const z of this.zones)
      for (const r of z.rules) if (r.actions.some((x) => x.value?.includes(a.email))) r.enabled = false;
    return a;
  }

  /** The human step no API offers: the owner clicks the link Cloudflare mailed. */
  markVerified(email: string): void {
    const a = this.addresses.find((x) => x.email === email.toLowerCase());
    if (!a) throw new CfError(404, 7003, `no destination address ${email}`);
    a.verified = now();
  }

  private account(id: string): void {
    if (id !== this.accountId) throw refusals.notFound("account");
  }
}
