/**
 * Stalwart 0.16+: management through JMAP objects `x:Domain` and `x:Account` (jmap-0.16.md). An
 * account IS its primary address: the JMAP `name` is the local part of `emails[0]` and `domainId`
 * its domain; the other addresses are `aliases`. The resource's `name` (the ≤0.15 login) has no
 * counterpart here and passes through unchanged. The server hashes passwords and reads them back
 * masked, so a password changed by hand cannot be seen (README, "Stalwart").
 */
import { StalwartApiError, StalwartVersionError } from "./errors";
import { Census } from "./census";
import { STALWART_LIMITS, type JmapLimits } from "./jmapBatch";
import { JmapCalls, type Args, type Call } from "./jmapCalls";
import { accountCandidates, type Address } from "./migration";
import {
  orderEmails,
  sortedSet,
  splitAddress,
  type Locator,
  type PrincipalRecord,
  type PrincipalSpec,
  type StalwartApi,
} from "./model";
import type { StalwartTransport } from "./transport";

const ACCOUNT_PROPS = [
  "id",
  "@type",
  "name",
  "domainId",
  "emailAddress",
  "aliases",
  "description",
  "roles",
  "quotas",
  "usedDiskQuota",
  "memberGroupIds",
  // Secrets read back masked; the entries' keys and types let a password change patch in place.
  "credentials",
];
const DOMAIN_PROPS = ["id", "name", "description", "dkimManagement"];

export class JmapApi implements StalwartApi {
  readonly generation = "jmap" as const;
  readonly version = undefined;
  private readonly c: JmapCalls;

  /**
   * Domain ids by name, learnt from creates and lookups in this process, so an account's create is
   * one request (issue 15). A stale id (domain deleted and made again by hand) makes the create fail
   * with invalidForeignKey, which changed nothing: the id is then looked up again and the create resent.
   */
  private readonly domainIdCache = new Map<string, string>();
  /** Raw credentials of accounts as last read, for a password patch without another read. */
  private readonly credentials = new WeakMap<PrincipalRecord, Record<string, Args>>();

  /**
   * Concurrent reads and deletes, from one listing each of every user account (census.ts): the ids
   * by `x:Account/query`, then the accounts by `x:Account/get` in chunks the session allows, whole
   * as `find` reads one for reads, only their usage for deletes. Named by id only (stable on 0.16),
   * so the record's name is left empty: the step that uses it knows its name.
   */
  readonly census = {
    read: new Census<Args>(
      async () => new Map((await this.users(ACCOUNT_PROPS)).map((raw) => [String(raw.id), raw])),
      (raw) => this.accountRecord(raw, ""),
    ),
    delete: new Census(async () => {
      const users = await this.users(["id", "@type", "usedDiskQuota"]);
      return new Map(
        users.map((raw): [string, PrincipalRecord] => [
          String(raw.id),
          { ...empty("individual", ""), principalId: String(raw.id), usedQuota: bytes(raw.usedDiskQuota) },
        ]),
      );
    }),
  };

  /** Every user account, with the properties asked for. */
  private async users(properties: string[]): Promise<Args[]> {
    const ids = await this.c.query("Account", { "@type": "User" });
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += this.limits.maxObjectsInGet)
      chunks.push(ids.slice(i, i + this.limits.maxObjectsInGet));
    const got = await Promise.all(chunks.map((c) => this.c.get("Account", c, properties)));
    return got.flatMap((m) => [...m.values()]).filter((raw) => raw["@type"] === "User");
  }

  constructor(
    t: StalwartTransport,
    private readonly limits: JmapLimits = STALWART_LIMITS,
  ) {
    this.c = new JmapCalls(t, limits);
  }

  async find(at: Locator): Promise<PrincipalRecord | undefined> {
    const kind = at.type === "domain" ? "Domain" : "Account";
    let id = at.api === "jmap" ? at.principalId : undefined;
    // State from ≤0.15 (before the migration): its ids mean nothing here, so look up the natural key.
    if (!id && at.type === "domain") id = (await this.c.query("Domain", { name: at.name }))[0];
    if (!id && at.type === "individual") id = await this.accountByAddress(accountCandidates(at));
    if (!id) return undefined;
    const raw = (await this.c.get(kind, [id], at.type === "domain" ? DOMAIN_PROPS : ACCOUNT_PROPS)).get(id);
    if (!raw || (at.type === "individual" && raw["@type"] !== "User")) return undefined;
    return at.type === "domain" ? this.domainRecord(raw) : this.accountRecord(raw, at.name);
  }

  async create(want: PrincipalSpec, password?: string, retried = false): Promise<PrincipalRecord> {
    const secrets = password ? [password] : [];
    const kind = want.type === "domain" ? "Domain" : "Account";
    const body =
      want.type === "domain"
        ? // Manual DKIM: PMG signs outbound mail, and Automatic keys would block deleting the domain (§3).
          { name: want.name, description: want.description || null, dkimManagement: { "@type": "Manual" } }
        : {
            "@type": "User",
            ...(await this.addressing(want)),
            description: want.description || null,
            credentials: password ? { "0": { "@type": "Password", secret: password } } : {},
            roles: roleObject(want.roles),
            permissions: { "@type": "Inherit" },
            quotas: want.quota > 0 ? { maxDiskQuota: want.quota } : {},
            memberGroupIds: await this.groupIds(want.memberOf),
          };
    const r = await this.c.send([[`x:${kind}/set`, { create: { n: body } }, "s"]], secrets);
    let created: { id: string };
    try {
      created = this.c.setResult(`x:${kind}/set`, r.s, "created", "n", secrets) as { id: string };
    } catch (e) {
      if (!(
        e instanceof StalwartApiError &&
        e.kind === "invalidForeignKey" &&
        !retried &&
        this.domainIdCache.size > 0
      ))
        throw e;
      this.domainIdCache.clear();
      return this.create(want, password, true);
    }
    const id = String(created.id);
    if (want.type === "domain") this.domainIdCache.set(want.name, id);
    // One request: the record is what was sent (refresh reads what the server holds).
    return { ...sent(want), principalId: id };
  }

  async update(current: PrincipalRecord, want: PrincipalSpec, password?: string): Promise<PrincipalRecord> {
    const secrets = password ? [password] : [];
    const kind = want.type === "domain" ? "Domain" : "Account";
    const patch: Args = {};
    if (want.description !== current.description) patch.description = want.description || null;
    if (want.type === "domain") {
      if (want.name !== current.name) patch.name = want.name;
      // Adopted or migrated domains keep 0.16's default, Automatic: Stalwart would make and rotate its own
      // keys, which then block deleting the domain (objectIsLinked). PMG signs, so Manual (jmap-0.16.md §3).
      if (current.dkimManagement !== "Manual") patch.dkimManagement = { "@type": "Manual" };
    } else {
      if (want.emails.join() !== current.emails.join()) Object.assign(patch, await this.addressing(want));
      if (want.roles.join() !== current.roles.join()) patch.roles = roleObject(want.roles);
      if (want.quota !== current.quota) patch["quotas/maxDiskQuota"] = want.quota > 0 ? want.quota : null;
      if (want.memberOf.join() !== current.memberOf.join())
        patch.memberGroupIds = await this.groupIds(want.memberOf);
      if (password !== undefined) Object.assign(patch, await this.passwordPatch(current, password));
    }
    if (Object.keys(patch).length > 0) {
      const r = await this.c.send(
        [[`x:${kind}/set`, { update: { [current.principalId]: patch } }, "s"]],
        secrets,
      );
      this.c.setResult(`x:${kind}/set`, r.s, "updated", current.principalId, secrets);
    }
    return { ...sent(want), principalId: current.principalId, usedQuota: current.usedQuota };
  }

  async remove(current: PrincipalRecord): Promise<void> {
    const kind = current.type === "domain" ? "Domain" : "Account";
    const r = await this.c.send([[`x:${kind}/set`, { destroy: [current.principalId] }, "s"]]);
    if (current.type === "domain") this.domainIdCache.delete(current.name);
    try {
      this.c.setResult(`x:${kind}/set`, r.s, "destroyed", current.principalId);
    } catch (e) {
      if (!(e instanceof StalwartApiError && e.notFound)) throw e;
    }
  }

  loginName(p: PrincipalSpec): string {
    return p.type === "individual" ? p.emails[0] : p.name;
  }

  /**
   * The first candidate address that is an account's own (not an alias): one request for the
   * domains, one for the accounts (a query matches `name` + `domainId`, never an alias).
   */
  private async accountByAddress(candidates: Address[]): Promise<string | undefined> {
    const domains = [...new Set(candidates.map((a) => a.domain))];
    if (domains.length === 0) return undefined;
    const d = await this.c.send(
      domains.map((name, i): Call => ["x:Domain/query", { filter: { name } }, `d${i}`]),
    );
    const domainId = (name: string) => (d[`d${domains.indexOf(name)}`]?.ids as unknown[] | undefined)?.[0];
    const asks = candidates.filter((a) => domainId(a.domain) !== undefined);
    if (asks.length === 0) return undefined;
    const r = await this.c.send(
      asks.map((a, i): Call => [
        "x:Account/query",
        { filter: { name: a.local, domainId: String(domainId(a.domain)), "@type": "User" } },
        `a${i}`,
      ]),
    );
    for (let i = 0; i < asks.length; i++) {
      const id = (r[`a${i}`]?.ids as unknown[] | undefined)?.[0];
      if (id !== undefined) return String(id);
    }
    return undefined;
  }

  /** `name` + `domainId` of the primary address and every other address as an alias (replaced whole). */
  private async addressing(want: PrincipalSpec): Promise<Args> {
    const parts = want.emails.map(splitAddress);
    const ids = await this.domainIds(parts.map((p) => p.domain));
    const aliases: Args = {};
    parts
      .slice(1)
      .forEach(
        (p, i) => (aliases[String(i)] = { name: p.local, domainId: ids.get(p.domain), enabled: true }),
      );
    return { name: parts[0].local, domainId: ids.get(parts[0].domain), aliases };
  }

  private async groupIds(addresses: string[]): Promise<Record<string, true>> {
    const out: Record<string, true> = {};
    const parts = addresses.map(splitAddress);
    const domains = await this.domainIds(parts.map((p) => p.domain));
    for (const [i, p] of parts.entries()) {
      const id = (
        await this.c.query("Account", { name: p.local, domainId: domains.get(p.domain), "@type": "Group" })
      )[0];
      if (!id)
        throw new StalwartApiError({
          method: "POST",
          path: "/jmap x:Account/query",
          status: 200,
          kind: "notFound",
          details: { item: addresses[i] },
        });
      out[id] = true;
    }
    return out;
  }

  /** Domain ids by name: from this process's cache, the rest looked up in one request. */
  private async domainIds(names: string[]): Promise<Map<string, string>> {
    const missing = names.filter((n) => !this.domainIdCache.has(n));
    for (const [name, id] of await this.c.domainIds(missing)) this.domainIdCache.set(name, id);
    return new Map(names.map((n) => [n, this.domainIdCache.get(n)!]));
  }

  /** Patch the existing Password entry's secret (keeps app passwords and API keys), or add one. */
  private async passwordPatch(current: PrincipalRecord, password: string): Promise<Args> {
    const id = current.principalId;
    const creds =
      this.credentials.get(current) ??
      (((await this.c.get("Account", [id], ["id", "credentials"])).get(id)?.credentials ?? {}) as Record<
        string,
        Args
      >);
    const key = Object.keys(creds).find((k) => creds[k]?.["@type"] === "Password");
    if (key !== undefined) return { [`credentials/${key}/secret`]: password };
    return { [`credentials/${Object.keys(creds).length}`]: { "@type": "Password", secret: password } };
  }

  private domainRecord(raw: Args): PrincipalRecord {
    return {
      ...empty("domain", String(raw.name)),
      principalId: String(raw.id),
      description: str(raw.description),
      dkimManagement: str((raw.dkimManagement as Args | undefined)?.["@type"]) || "unknown",
      dependents: 0,
    };
  }

  private async accountRecord(raw: Args, name: string): Promise<PrincipalRecord> {
    const aliases = Object.values((raw.aliases ?? {}) as Record<string, Args>).filter(
      (a) => a && a.enabled !== false,
    );
    const groups = Object.keys((raw.memberGroupIds ?? {}) as object);
    const domainNames = await this.c.get(
      "Domain",
      [...new Set(aliases.map((a) => String(a.domainId)))],
      ["id", "name"],
    );
    const groupAddresses = await this.c.get("Account", groups, ["id", "emailAddress"]);
    const alias = (a: Args) =>
      `${String(a.name)}@${String(domainNames.get(String(a.domainId))?.name ?? `?${String(a.domainId)}`)}`;
    const quotas = (raw.quotas ?? {}) as Args;
    const rec: PrincipalRecord = {
      ...empty("individual", name),
      principalId: String(raw.id),
      emails: orderEmails([String(raw.emailAddress), ...aliases.map(alias)]),
      description: str(raw.description),
      roles: roleNames(raw.roles as Args | undefined),
      quota: typeof quotas.maxDiskQuota === "number" ? quotas.maxDiskQuota : 0,
      memberOf: sortedSet(groups.map((g) => String(groupAddresses.get(g)?.emailAddress ?? `?${g}`))),
      // Always sent when asked for (crates/jmap/src/registry/get.rs:248-256 at d72608f3): absent or not a
      // byte count means the answer cannot be trusted, and the delete guard treats it as holding mail.
      usedQuota: bytes(raw.usedDiskQuota),
    };
    if (raw.credentials && typeof raw.credentials === "object")
      this.credentials.set(rec, raw.credentials as Record<string, Args>);
    return rec;
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const bytes = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/** The record of what a create or update sent, in read-back order (model.ts). */
function sent(want: PrincipalSpec): PrincipalRecord {
  const base = empty(want.type, want.name);
  if (want.type === "domain") return { ...base, description: want.description };
  return {
    ...base,
    emails: orderEmails(want.emails),
    description: want.description,
    roles: sortedSet(want.roles),
    quota: want.quota,
    memberOf: sortedSet(want.memberOf),
  };
}

function empty(type: PrincipalSpec["type"], name: string): PrincipalRecord {
  return {
    type,
    name,
    emails: [],
    description: "",
    roles: [],
    quota: 0,
    memberOf: [],
    principalId: "",
    usedQuota: 0,
    dependents: 0,
    storedPassword: undefined,
  };
}

/** 0.16 knows the built-in User and Admin roles by variant; custom roles are ids, not names. */
function roleObject(roles: string[]): Args {
  if (roles.join() === "user") return { "@type": "User" };
  if (roles.join() === "admin") return { "@type": "Admin" };
  throw new StalwartVersionError(
    `stalwart: roles [${roles.join(", ")}] cannot be expressed on Stalwart 0.16+, which has the User and Admin roles; declare roles [user] or [admin]`,
  );
}

function roleNames(roles: Args | undefined): string[] {
  if (!roles || roles["@type"] === "User") return ["user"];
  if (roles["@type"] === "Admin") return ["admin"];
  return sortedSet(Object.keys((roles.roleIds ?? {}) as object).map((id) => `role:${id}`));
}
