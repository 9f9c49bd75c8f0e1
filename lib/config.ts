/**
 * The stack configuration is the product's interface. This module checks all of it up front and
 * reports every problem at once, each naming its config key and the fix, before a single resource
 * is registered. It has no Pulumi in it: the program passes the raw values in.
 */
import * as v from "./validate";
import { ConfigError } from "./errors";
import { spfLookups, spfValue } from "./records";
import { isIP } from "node:net";
import * as unifiRules from "../providers/unifi/records";

/** Email Routing's and Google's (the smarthost's) senders are always authorized. */
export const BASE_SPF_INCLUDES = ["_spf.mx.cloudflare.net", "_spf.google.com"];
/** SPF's DNS-lookup limit (RFC 7208 §4.6.4): past it receivers answer permerror. */
export const SPF_LOOKUP_LIMIT = 10;

export const PROJECT = "homelab-mail";

export interface DomainConfig {
  readonly name: string;
  readonly cloudflareZoneId: string;
  /** Id of the SPF record Email Routing already published on this zone: adopted, never duplicated. */
  readonly spfRecordId?: string;
}
export interface MailDnsConfig {
  /** Extra SPF includes beyond Email Routing's and Google's. */
  readonly spfExtraIncludes: string[];
  readonly spfAll: "~all" | "-all";
  readonly dmarcPolicy: "none" | "quarantine" | "reject";
  /** DMARC aggregate reports; default postmaster@<domain>. */
  readonly dmarcReportTo?: string;
}
export interface RoutingConfig {
  readonly serviceDestination: string;
  readonly personalDestination: string;
  readonly serviceAddresses: string[];
  readonly personalAddresses: string[];
}
export interface HostPort {
  readonly host: string;
  readonly port: number;
}
export interface PmgConfig {
  readonly endpoint: string;
  readonly username: string;
  readonly tlsFingerprint?: string;
  readonly trustedNetworks: string[];
  /** Outbound smarthost: PMG's `smarthost`/`smarthostport` (postfix default_transport); `user` logs in to it (default: fetchmail.user). */
  readonly smarthost: HostPort & { readonly user?: string };
  /** Where PMG hands inbound mail for every domain: Stalwart's SMTP listener. */
  readonly transport: HostPort & { readonly protocol: "smtp" | "lmtp" };
  readonly dkim: { readonly selector: string; readonly keySize: number };
  readonly ssh?: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly hostKey: string;
  };
}
export interface StalwartAccount {
  readonly name: string;
  readonly emails: string[];
  readonly description?: string;
  /** Default [user], which IMAP login needs. */
  readonly roles?: string[];
  /** Bytes; 0 or absent is unlimited. */
  readonly quota?: number;
  /** Let removing the account destroy a mailbox that holds mail (default false: refused). */
  readonly allowMailboxDeletion?: boolean;
  /** Names it had before: a rename then updates the account in place instead of replacing it. */
  readonly formerNames?: string[];
}
export interface StalwartConfig {
  readonly endpoint: string;
  readonly username: string;
  readonly tlsFingerprint?: string;
  readonly accounts: StalwartAccount[];
  /** What IMAP clients connect to; default: the endpoint's host, 993, implicit TLS. */
  readonly imap: { readonly host: string; readonly port: number; readonly security: "tls" | "starttls" };
}
export interface FetchmailConfig {
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly folder: string;
  readonly pollSeconds: number;
}
export interface UnifiRecordConfig {
  readonly name: string;
  readonly type: unifiRules.RecordType;
  readonly value: string;
  /** Seconds; undefined leaves the console's default alone. */
  readonly ttl?: number;
}
export interface UnifiConfig {
  readonly endpoint: string;
  readonly site: string;
  readonly tlsFingerprint?: string;
  /** Where the default records live: pmg.<zone> and mail.<zone>. Default lab.local. */
  readonly zone: string;
  /** As declared, or the two defaults derived from the PMG and Stalwart hosts. */
  readonly records: UnifiRecordConfig[];
}
export interface MailChainConfig {
  readonly domains: DomainConfig[];
  readonly cloudflareAccountId?: string;
  readonly routing?: RoutingConfig;
  readonly pmg: PmgConfig;
  readonly stalwart?: StalwartConfig;
  readonly fetchmail?: FetchmailConfig;
  readonly dns: MailDnsConfig;
  /** Internal DNS records on the UniFi console; absent when not configured. */
  readonly unifi?: UnifiConfig;
  /** Take over existing objects that differ from the declaration (see README, "Adopting"). */
  readonly adoptExisting: boolean;
}

/** Secret keys, each required when the block that uses it is configured. */
export const SECRET_KEYS = [
  "pmgPassword",
  "stalwartPassword",
  "stalwartApiKey",
  "pmgSshPrivateKey",
  "gmailFetchmailPassword",
  "gmailSmarthostPassword",
  "unifiApiKey",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

type Raw = Record<string, unknown>;

/** Key names that mean someone put a secret where config is stored in plain text. */
const CREDENTIAL_KEY = /pass(word)?|secret|token|api_?key|private_?key|credential/i;

/** Collects problems as "homelab-mail:<key path>: <reason>". */
class Problems {
  readonly list: string[] = [];
  add(path: string, reason: string): void {
    this.list.push(`${PROJECT}:${path}: ${reason}`);
  }
  check(path: string, value: unknown, rule: (x: unknown) => v.Problem): void {
    const p = rule(value);
    if (p) this.add(path, p);
  }
  object(path: string, value: unknown, required = true): Raw | undefined {
    if (value === undefined || value === null) {
      if (required) this.add(path, `is missing; set it in Pulumi.<stack>.yaml (see README, "Configuration")`);
      return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
      this.add(path, `must be an object, got ${Array.isArray(value) ? "a list" : typeof value}`);
      return undefined;
    }
    return value as Raw;
  }
  list_(path: string, value: unknown, required = true): unknown[] {
    if (value === undefined && !required) return [];
    if (!Array.isArray(value)) {
      this.add(path, value === undefined ? "is missing; give a list" : "must be a list");
      return [];
    }
    return value;
  }
  string(path: string, value: unknown, required = true): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value.trim() === "") {
      this.add(path, value === undefined ? "is missing" : "must be a non-empty string");
      return undefined;
    }
    if (/[\x00-\x1f\x7f]/.test(value)) this.add(path, "must not contain control characters or newlines");
    return value;
  }
  unknownKeys(path: string, obj: Raw, known: string[]): void {
    for (const k of Object.keys(obj)) {
      if (known.includes(k)) continue;
      if (CREDENTIAL_KEY.test(k)) {
        // Never echo the value: it is probably a real credential in plain text.
        this.add(
          `${path}.${k}`,
          'looks like a credential in plain config; remove it, and keep secrets in `pulumi config set --secret` keys (README, "Setting up a stack")',
        );
      } else {
        this.add(`${path}.${k}`, `is not a known key; expected one of ${known.join(", ")}`);
      }
    }
  }
}

/** Validates the raw stack config (`project:key` stripped) and the names of the secrets that are set. */
export function validateConfig(raw: Raw, secretsSet: ReadonlySet<string>): MailChainConfig {
  const p = new Problems();
  const domains = p.list_("domains", raw.domains).flatMap((d, i) => {
    const o = p.object(`domains[${i}]`, d);
    if (!o) return [];
    p.unknownKeys(`domains[${i}]`, o, ["name", "cloudflareZoneId", "spfRecordId"]);
    if (
      o.spfRecordId !== undefined &&
      (typeof o.spfRecordId !== "string" || !/^[0-9a-f]{32}$/.test(o.spfRecordId))
    ) {
      p.add(
        `domains[${i}].spfRecordId`,
        "must be the 32-character hex id of the zone's existing SPF record (Cloudflare API: list dns_records)",
      );
    }
    p.check(`domains[${i}].name`, o.name, v.mailDomain);
    if (typeof o.cloudflareZoneId !== "string" || !/^[0-9a-f]{32}$/.test(o.cloudflareZoneId)) {
      p.add(
        `domains[${i}].cloudflareZoneId`,
        "must be the zone's 32-character hex id as a quoted string (Cloudflare dashboard, zone Overview)",
      );
    }
    const spfRecordId = o.spfRecordId as string | undefined;
    return [
      { name: String(o.name).toLowerCase(), cloudflareZoneId: String(o.cloudflareZoneId), spfRecordId },
    ];
  });
  if (domains.length === 0 && Array.isArray(raw.domains)) p.add("domains", "must name at least one domain");
  const names = domains.map((d) => d.name);
  names.forEach((n, i) => names.indexOf(n) !== i && p.add(`domains[${i}].name`, `"${n}" is listed twice`));

  const cloudflareAccountId = p.string(
    "cloudflareAccountId",
    raw.cloudflareAccountId,
    raw.routing !== undefined,
  );
  if (cloudflareAccountId !== undefined && !/^[0-9a-f]{32}$/.test(cloudflareAccountId)) {
    p.add("cloudflareAccountId", "must be the account's 32-character hex id");
  }
  const routing = validateRouting(p, raw.routing, names);
  const stalwart = validateStalwart(p, raw.stalwart, names);
  const pmg = validatePmg(p, raw.pmg, stalwartHost(stalwart));
  const fetchmail = validateFetchmail(p, raw.fetchmail);
  const dns = validateDns(p, raw.dns);
  const unifi = validateUnifi(p, raw.unifi, pmg, stalwart);
  if (raw.adoptExisting !== undefined && typeof raw.adoptExisting !== "boolean") {
    p.add("adoptExisting", "must be true or false");
  }

  const needs: [SecretKey, boolean][] = [
    ["pmgPassword", true],
    ["stalwartPassword", stalwart !== undefined && !secretsSet.has("stalwartApiKey")],
    ["pmgSshPrivateKey", pmg?.ssh !== undefined],
    ["gmailFetchmailPassword", fetchmail !== undefined],
    // The PMG host resources (components/PmgHost.ts) write the smarthost's SASL map.
    ["gmailSmarthostPassword", pmg?.ssh !== undefined && fetchmail !== undefined],
    ["unifiApiKey", unifi !== undefined],
  ];
  for (const [key, needed] of needs) {
    if (needed && !secretsSet.has(key))
      p.add(key, `is not set; run: pulumi config set --secret ${PROJECT}:${key}`);
  }
  if (p.list.length > 0 || !pmg) throw new ConfigError(p.list);
  return {
    domains,
    cloudflareAccountId,
    routing,
    pmg,
    stalwart,
    fetchmail,
    dns,
    unifi,
    adoptExisting: raw.adoptExisting === true,
  };
}

function addressesIn(p: Problems, path: string, value: unknown, domains: string[]): string[] {
  return p.list_(path, value).flatMap((a, i) => {
    const problem = v.email(a);
    if (problem) return (p.add(`${path}[${i}]`, problem), []);
    const address = (a as string).toLowerCase();
    const domain = address.split("@")[1];
    if (!domains.includes(domain)) {
      p.add(
        `${path}[${i}]`,
        `"${a}" is in ${domain}, which is not one of homelab-mail:domains; add the domain or fix the address`,
      );
    }
    return [address];
  });
}

function validateRouting(p: Problems, value: unknown, domains: string[]): RoutingConfig | undefined {
  const o = p.object("routing", value, false);
  if (!o) return undefined;
  p.unknownKeys("routing", o, [
    "serviceDestination",
    "personalDestination",
    "serviceAddresses",
    "personalAddresses",
  ]);
  p.check("routing.serviceDestination", o.serviceDestination, v.email);
  p.check("routing.personalDestination", o.personalDestination, v.email);
  const serviceAddresses = addressesIn(p, "routing.serviceAddresses", o.serviceAddresses, domains);
  const personalAddresses = addressesIn(p, "routing.personalAddresses", o.personalAddresses, domains);
  for (const a of serviceAddresses.filter((x) => personalAddresses.includes(x))) {
    p.add("routing.personalAddresses", `${a} is also a service address; route each address one way`);
  }
  return {
    serviceDestination: String(o.serviceDestination).toLowerCase(),
    personalDestination: String(o.personalDestination).toLowerCase(),
    serviceAddresses,
    personalAddresses,
  };
}

function hostPort(
  p: Problems,
  path: string,
  value: unknown,
  defaults: Partial<HostPort> = {},
): HostPort | undefined {
  const o = p.object(path, value, defaults.host === undefined);
  if (!o && defaults.host === undefined) return undefined;
  const merged = { ...defaults, ...(o ?? {}) };
  p.check(`${path}.host`, merged.host, v.host);
  p.check(`${path}.port`, merged.port, v.port);
  return o || defaults.host !== undefined
    ? { host: String(merged.host), port: Number(merged.port) }
    : undefined;
}

function stalwartHost(stalwart: { readonly endpoint: string } | undefined): string | undefined {
  try {
    return stalwart ? new URL(stalwart.endpoint).hostname.replace(/^\[|\]$/g, "") : undefined;
  } catch {
    return undefined;
  }
}

function validatePmg(p: Problems, value: unknown, transportHost: string | undefined): PmgConfig | undefined {
  const o = p.object("pmg", value);
  if (!o) return undefined;
  p.unknownKeys("pmg", o, [
    "endpoint",
    "username",
    "tlsFingerprint",
    "trustedNetworks",
    "smarthost",
    "transport",
    "dkim",
    "ssh",
  ]);
  p.check("pmg.endpoint", o.endpoint, (x) => v.endpoint(x));
  const username = p.string("pmg.username", o.username) ?? "";
  if (username && !/^[^\s@:]+@[A-Za-z][A-Za-z0-9._-]*$/.test(username)) {
    p.add(
      "pmg.username",
      `"${username}" has no realm; PMG appends @quarantine to bare names, so write root@pam or name@pmg`,
    );
  }
  if (o.tlsFingerprint !== undefined) p.check("pmg.tlsFingerprint", o.tlsFingerprint, v.sha256Fingerprint);
  const trustedNetworks = p.list_("pmg.trustedNetworks", o.trustedNetworks).map((c, i) => {
    p.check(`pmg.trustedNetworks[${i}]`, c, v.cidr);
    return String(c);
  });
  trustedNetworks.forEach(
    (c, i) => trustedNetworks.indexOf(c) !== i && p.add(`pmg.trustedNetworks[${i}]`, `${c} is listed twice`),
  );
  const smarthostHp = hostPort(p, "pmg.smarthost", o.smarthost);
  const smarthostUser = (o.smarthost as Raw | undefined)?.user;
  if (smarthostUser !== undefined) p.check("pmg.smarthost.user", smarthostUser, v.email);
  const smarthost =
    smarthostHp &&
    (smarthostUser === undefined ? smarthostHp : { ...smarthostHp, user: String(smarthostUser) });
  // Stalwart's SMTP listener is on the host of its management endpoint unless said otherwise.
  const transportHp = hostPort(p, "pmg.transport", o.transport, { host: transportHost, port: 25 });
  const protocol = (o.transport as Raw | undefined)?.protocol ?? "smtp";
  if (protocol !== "smtp" && protocol !== "lmtp") p.add("pmg.transport.protocol", "must be smtp or lmtp");
  const dkimRaw = p.object("pmg.dkim", o.dkim);
  const dkim = {
    selector: String(dkimRaw?.selector).toLowerCase(),
    keySize: Number(dkimRaw?.keySize ?? 2048),
  };
  if (dkimRaw) {
    p.check("pmg.dkim.selector", dkimRaw.selector, v.dkimSelector);
    p.check("pmg.dkim.keySize", dkimRaw.keySize ?? 2048, v.dkimKeySize);
  }
  const ssh = validateSsh(p, o.ssh);
  if (!smarthost || !transportHp || !dkimRaw) return undefined;
  return {
    endpoint: String(o.endpoint),
    username,
    tlsFingerprint: o.tlsFingerprint as string | undefined,
    trustedNetworks,
    smarthost,
    transport: { ...transportHp, protocol: protocol as "smtp" | "lmtp" },
    dkim,
    ssh,
  };
}

function validateSsh(p: Problems, value: unknown): PmgConfig["ssh"] {
  const o = p.object("pmg.ssh", value, false);
  if (!o) return undefined;
  p.check("pmg.ssh.host", o.host, v.host);
  p.check("pmg.ssh.port", o.port ?? 22, v.port);
  const user = p.string("pmg.ssh.user", o.user);
  if (user && !/^[a-z_][a-z0-9_-]{0,31}$/.test(user))
    p.add("pmg.ssh.user", `"${user}" is not a valid Unix user name`);
  p.check("pmg.ssh.hostKey", o.hostKey, v.sshHostKey);
  return { host: String(o.host), port: Number(o.port ?? 22), user: String(user), hostKey: String(o.hostKey) };
}

function validateStalwart(p: Problems, value: unknown, domains: string[]): StalwartConfig | undefined {
  const o = p.object("stalwart", value, false);
  if (!o) return undefined;
  p.unknownKeys("stalwart", o, ["endpoint", "username", "tlsFingerprint", "accounts", "imap"]);
  p.check("stalwart.endpoint", o.endpoint, (x) => v.endpoint(x, ["https:", "http:"]));
  const username = p.string("stalwart.username", o.username) ?? "";
  if (o.tlsFingerprint !== undefined)
    p.check("stalwart.tlsFingerprint", o.tlsFingerprint, v.sha256Fingerprint);
  const imap = validateImap(p, o.imap, stalwartHost({ endpoint: String(o.endpoint) }) ?? "");
  const accounts = p.list_("stalwart.accounts", o.accounts).flatMap((a, i) => {
    const path = `stalwart.accounts[${i}]`;
    const acc = p.object(path, a);
    if (!acc) return [];
    p.unknownKeys(path, acc, [
      "name",
      "emails",
      "description",
      "roles",
      "quota",
      "allowMailboxDeletion",
      "formerNames",
    ]);
    const name = p.string(`${path}.name`, acc.name)?.toLowerCase();
    if (name && !/^[a-z0-9][a-z0-9._-]{0,63}(@[a-z0-9.-]+)?$/.test(name)) {
      p.add(`${path}.name`, `"${name}" is not a valid account name; use letters, digits, . _ -`);
    }
    const emails = addressesIn(p, `${path}.emails`, acc.emails, domains);
    const description = p.string(`${path}.description`, acc.description, false);
    return name ? [{ name, emails, description, ...accountOptions(p, path, acc) }] : [];
  });
  const seen = new Map<string, string>();
  accounts.forEach((a, i) => {
    if (seen.has(a.name)) p.add(`stalwart.accounts[${i}].name`, `"${a.name}" is declared twice`);
    seen.set(a.name, a.name);
    for (const e of a.emails) {
      if (seen.has(`@${e}`))
        p.add(`stalwart.accounts[${i}].emails`, `${e} belongs to ${seen.get(`@${e}`)} already`);
      seen.set(`@${e}`, a.name);
    }
  });
  return {
    endpoint: String(o.endpoint),
    username,
    tlsFingerprint: o.tlsFingerprint as string | undefined,
    accounts,
    imap,
  };
}

function accountOptions(p: Problems, path: string, acc: Raw): Partial<StalwartAccount> {
  const names = (key: string) =>
    acc[key] === undefined
      ? undefined
      : p
          .list_(`${path}.${key}`, acc[key])
          .map((x, i) => p.string(`${path}.${key}[${i}]`, x)?.toLowerCase() ?? "");
  const roles = names("roles");
  if (roles?.length === 0)
    p.add(`${path}.roles`, "must not be empty: an account without roles cannot log in (use [user])");
  const quota = acc.quota ?? 0;
  if (!Number.isSafeInteger(quota) || (quota as number) < 0)
    p.add(`${path}.quota`, "must be a whole number of bytes, 0 for unlimited");
  if (acc.allowMailboxDeletion !== undefined && typeof acc.allowMailboxDeletion !== "boolean")
    p.add(`${path}.allowMailboxDeletion`, "must be true or false");
  return {
    roles,
    quota: Number(quota),
    allowMailboxDeletion: acc.allowMailboxDeletion === true,
    formerNames: names("formerNames"),
  };
}

function validateImap(p: Problems, value: unknown, endpointHost: string): StalwartConfig["imap"] {
  const o = p.object("stalwart.imap", value, false) ?? {};
  p.unknownKeys("stalwart.imap", o, ["host", "port", "security"]);
  const security = o.security ?? "tls";
  if (security !== "tls" && security !== "starttls")
    p.add("stalwart.imap.security", "must be tls (implicit, port 993) or starttls (port 143)");
  const host = o.host ?? endpointHost;
  const port = o.port ?? (security === "starttls" ? 143 : 993);
  p.check("stalwart.imap.host", host, v.host);
  p.check("stalwart.imap.port", port, v.port);
  return { host: String(host), port: Number(port), security: security === "starttls" ? "starttls" : "tls" };
}

function validateFetchmail(p: Problems, value: unknown): FetchmailConfig | undefined {
  const o = p.object("fetchmail", value, false);
  if (!o) return undefined;
  p.unknownKeys("fetchmail", o, ["server", "port", "user", "folder", "pollSeconds"]);
  p.check("fetchmail.server", o.server, v.host);
  p.check("fetchmail.port", o.port ?? 993, v.port);
  const user = p.string("fetchmail.user", o.user) ?? "";
  const folder = p.string("fetchmail.folder", o.folder ?? "INBOX") ?? "INBOX";
  const poll = o.pollSeconds ?? 120;
  if (typeof poll !== "number" || !Number.isInteger(poll) || poll < 30 || poll > 86400) {
    p.add(
      "fetchmail.pollSeconds",
      "must be a whole number of seconds from 30 to 86400 (Gmail throttles faster polling)",
    );
  }
  return { server: String(o.server), port: Number(o.port ?? 993), user, folder, pollSeconds: Number(poll) };
}

function validateDns(p: Problems, value: unknown): MailDnsConfig {
  const o = p.object("dns", value, false) ?? {};
  p.unknownKeys("dns", o, ["spfExtraIncludes", "spfAll", "dmarcPolicy", "dmarcReportTo"]);
  const spfExtraIncludes = p.list_("dns.spfExtraIncludes", o.spfExtraIncludes, false).map((d, i) => {
    p.check(`dns.spfExtraIncludes[${i}]`, d, v.dnsName);
    return String(d);
  });
  const spfAll = o.spfAll ?? "~all";
  if (spfAll !== "~all" && spfAll !== "-all") p.add("dns.spfAll", "must be ~all or -all");
  const dmarcPolicy = o.dmarcPolicy ?? "none";
  if (!["none", "quarantine", "reject"].includes(dmarcPolicy as string))
    p.add("dns.dmarcPolicy", "must be none, quarantine or reject");
  if (o.dmarcReportTo !== undefined) p.check("dns.dmarcReportTo", o.dmarcReportTo, v.email);
  const lookups = spfLookups(spfValue({ includes: [...BASE_SPF_INCLUDES, ...spfExtraIncludes] }));
  if (lookups.count > SPF_LOOKUP_LIMIT) {
    p.add(
      "dns.spfExtraIncludes",
      `the SPF record would need at least ${lookups.count} DNS lookups; the limit is ${SPF_LOOKUP_LIMIT}: remove includes`,
    );
  }
  return {
    spfExtraIncludes,
    spfAll: spfAll as MailDnsConfig["spfAll"],
    dmarcPolicy: dmarcPolicy as MailDnsConfig["dmarcPolicy"],
    dmarcReportTo: o.dmarcReportTo as string | undefined,
  };
}

function validateUnifi(
  p: Problems,
  value: unknown,
  pmg: PmgConfig | undefined,
  stalwart: StalwartConfig | undefined,
): UnifiConfig | undefined {
  const o = p.object("unifi", value, false);
  if (!o) return undefined;
  p.unknownKeys("unifi", o, ["endpoint", "site", "tlsFingerprint", "zone", "records"]);
  p.check("unifi.endpoint", o.endpoint, (x) => v.endpoint(x));
  p.check("unifi.site", o.site ?? "default", unifiRules.siteName);
  if (o.tlsFingerprint !== undefined) p.check("unifi.tlsFingerprint", o.tlsFingerprint, v.sha256Fingerprint);
  if (o.zone !== undefined) p.check("unifi.zone", o.zone, unifiRules.recordName);
  const zone = String(o.zone ?? "lab.local").toLowerCase();
  const records =
    o.records === undefined ? defaultUnifiRecords(p, zone, pmg, stalwart) : unifiRecords(p, o.records);
  return {
    endpoint: String(o.endpoint),
    site: String(o.site ?? "default"),
    tlsFingerprint: o.tlsFingerprint as string | undefined,
    zone,
    records,
  };
}

function unifiRecords(p: Problems, value: unknown): UnifiRecordConfig[] {
  const seen = new Map<string, string>();
  return p.list_("unifi.records", value).flatMap((r, i) => {
    const path = `unifi.records[${i}]`;
    const o = p.object(path, r);
    if (!o) return [];
    p.unknownKeys(path, o, ["name", "type", "value", "ttl"]);
    const before = p.list.length;
    p.check(`${path}.name`, o.name, unifiRules.recordName);
    p.check(`${path}.type`, o.type, unifiRules.recordType);
    p.check(`${path}.value`, o.value, (x) => unifiRules.recordValue(o.type, x));
    p.check(`${path}.ttl`, o.ttl, unifiRules.recordTtl);
    if (p.list.length > before) return [];
    const type = o.type as unifiRules.RecordType;
    const name = unifiRules.normalizeName(String(o.name));
    const value = unifiRules.normalizeValue(type, String(o.value));
    const clash = seen.get(`${name}|${type}`) ?? seen.get(type === "CNAME" ? name : `${name}|CNAME`);
    // Two records of one name and type, or a CNAME beside another record, stop the gateway's dnsmasq.
    if (clash) p.add(path, `${type} ${name} clashes with ${clash}; UniFi takes one per name and type`);
    seen.set(`${name}|${type}`, `${type} ${name}`).set(name, `${type} ${name}`);
    return [{ name, type, value, ttl: o.ttl as number | undefined }];
  });
}

/**
 * The mission's two internal names by default: pmg.<zone> at the PMG host and mail.<zone> at
 * Stalwart's, each taken from the first of its hosts that is an IP address literal (an A record
 * cannot point at a name, and the name may well be the one this record defines).
 */
function defaultUnifiRecords(
  p: Problems,
  zone: string,
  pmg: PmgConfig | undefined,
  stalwart: StalwartConfig | undefined,
): UnifiRecordConfig[] {
  if (!pmg) return [];
  const host = (url: string | undefined) => {
    try {
      return url ? new URL(url).hostname.replace(/^\[|\]$/g, "") : undefined;
    } catch {
      return undefined;
    }
  };
  const wanted: [string, (string | undefined)[], string][] = [
    ["pmg", [host(pmg.endpoint), pmg.ssh?.host], "homelab-mail:pmg.endpoint nor pmg.ssh.host"],
    [
      "mail",
      [host(stalwart?.endpoint), pmg.transport.host],
      "homelab-mail:stalwart.endpoint nor pmg.transport.host",
    ],
  ];
  return wanted.flatMap(([label, hosts, keys]) => {
    const address = hosts.find((h) => h !== undefined && isIP(h) !== 0);
    if (!address) {
      p.add(
        "unifi.records",
        `${label}.${zone} has no default: neither ${keys} is an IP address; list the records, e.g. [{name: ${label}.${zone}, type: A, value: <its address>}]`,
      );
      return [];
    }
    const type = isIP(address) === 4 ? "A" : "AAAA";
    return [{ name: `${label}.${zone}`, type, value: unifiRules.normalizeValue(type, address) }];
  });
}
