// A replay of Stalwart's 0.15 -> 0.16 migration on the stand-in: what `migrate_v016.py dump`,
// `convert` and `stalwart-cli apply` (recovery mode) leave behind, built by the rules of
// stalwartlabs/stalwart resources/scripts/migrate_v016.py at d72608f3 (line numbers below), from the
// principals as the 0.15 REST API dumps them (`RestDirectory.view`, i.e. GET /api/principal/<name>).
//
// Every object goes through the 0.16 stand-in's own validation (DomainKind/AccountKind.build), as
// `apply` goes through x:*/set. Kept out: tenants, mailing lists, settings, DKIM signatures from
// `signature.*` settings (the REST stand-in has no settings).
import { AccountKind } from "./jmap/account";
import { DomainKind } from "./jmap/domain";
import { encodeId } from "./jmap/ids";
import type { Wire } from "./jmap/kind";
import type { JmapStore } from "./jmap/store";
import type { RestDirectory } from "./rest/directory";

type Dump = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);

/** split_email (lines 410-418): rpartition on "@", domain stripped and lowercased. */
function splitEmail(addr: string): [string, string] | undefined {
  if (!addr.includes("@")) return undefined;
  const at = addr.lastIndexOf("@");
  const domain = addr
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return domain ? [addr.slice(0, at), domain] : undefined;
}

/** _infer_primary_domain (lines 929-951). */
function inferPrimaryDomain(p: Dump): string | undefined {
  const nm = str(p.name);
  if (nm.includes("@")) {
    const parts = splitEmail(nm);
    if (parts) return parts[1];
  }
  let fallback: string | undefined;
  for (const addr of list(p.emails)) {
    const parts = splitEmail(addr);
    if (!parts) continue;
    const [local, dom] = parts;
    if (local && local === nm) return dom;
    fallback ??= dom;
  }
  return fallback;
}

export interface MigrationReport {
  /** 0.15 principal name -> the 0.16 account's address. */
  readonly accounts: Map<string, string>;
}

/**
 * Replays the migration of `from` (a 0.15 directory) into `to` (an empty 0.16 store, as recovery
 * mode leaves it after wiping the directory). Mail stays on disk, but every usage counter is zero
 * (UPGRADING/v0_16.md, Step 2 "Disk quotas") until `to.recalculateDiskQuotas()`.
 */
export function migrateV016(from: RestDirectory, to: JmapStore): MigrationReport {
  const dump = [...from.principals.values()].map((p) => from.view(p));
  const usage = new Map([...from.principals.values()].map((p) => [p.id, p.usedQuota]));
  const mailboxes = dump.filter((p) => ["individual", "group", "list"].includes(str(p.type)));

  // _collect_domain_names (lines 840-872) and _build_domains (lines 874-903): sorted, created in order.
  const names = new Set<string>();
  for (const p of dump) {
    if (p.type === "domain" && str(p.name).trim()) names.add(str(p.name).trim().toLowerCase());
  }
  for (const p of mailboxes) {
    for (const addr of [...(str(p.name).includes("@") ? [str(p.name)] : []), ...list(p.emails)]) {
      const parts = splitEmail(addr);
      if (parts) names.add(parts[1]);
    }
  }
  const domainIds = new Map<string, number>();
  for (const name of [...names].sort()) {
    const declared = dump.find((p) => p.type === "domain" && str(p.name).trim().toLowerCase() === name);
    const w: Wire = { ...DomainKind.defaults(), name };
    // Only name, description and logo are sent: dkimManagement keeps its default, Automatic.
    if (declared && str(declared.description)) w.description = str(declared.description);
    const id = to.newId("Domain");
    to.domains.set(id, DomainKind.build(to, w, id));
    domainIds.set(name, id);
  }

  // _pick_default_domain (lines 905-927): the most common primary domain, ties by name.
  if (domainIds.size === 1) to.defaultDomainId = [...domainIds.values()][0];
  else if (domainIds.size > 1) {
    const counts = new Map<string, number>();
    for (const p of mailboxes) {
      const d = inferPrimaryDomain(p);
      if (d) counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    const best = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
    to.defaultDomainId = domainIds.get(best ?? [...domainIds.keys()].sort()[0]);
  }

  const accounts = new Map<string, string>();
  // _build_accounts (lines 1029-1042): individuals and groups, created as `restore-<old id>`.
  for (const p of dump.filter((x) => x.type === "individual" || x.type === "group")) {
    // _resolve_name_and_domain (lines 970-996).
    const nm = str(p.name);
    let local = nm;
    let domain = nm.includes("@") ? splitEmail(nm)?.[1] : inferPrimaryDomain(p);
    if (nm.includes("@")) local = splitEmail(nm)?.[0] ?? nm;
    domain ??= [...domainIds].find(([, id]) => id === to.defaultDomainId)?.[0];
    if (!domain) throw new Error(`ConvertError: principal ${nm} has no domain and no default domain is set`);
    const domainId = domainIds.get(domain)!;
    // _build_aliases (lines 998-1027): every other address, first occurrence only.
    const aliases: Wire = {};
    const seen = new Set<string>();
    for (const addr of list(p.emails)) {
      const parts = splitEmail(addr);
      if (!parts || parts[0] === "" || !domainIds.has(parts[1])) continue;
      const key = `${parts[0]}@${parts[1]}`;
      if ((parts[0] === local && parts[1] === domain) || seen.has(key)) continue;
      seen.add(key);
      aliases[String(seen.size - 1)] = { name: parts[0], domainId: encodeId(domainIds.get(parts[1])!) };
    }
    // _build_credentials (lines 1093-1109): the first secret that is no app password or TOTP URL, verbatim.
    const password = list(p.secrets).find((s) => !s.startsWith("$app$") && !s.startsWith("otpauth://"));
    const w: Wire = {
      ...AccountKind.defaults(),
      "@type": p.type === "group" ? "Group" : "User",
      name: local,
      domainId: encodeId(domainId),
      aliases,
      credentials:
        p.type === "individual" && password ? { "0": { "@type": "Password", secret: password } } : {},
      // _build_account_quotas (lines 1086-1091): only a non-zero quota; no roles are sent (the default, User).
      quotas: typeof p.quota === "number" && p.quota > 0 ? { maxDiskQuota: p.quota } : {},
    };
    if (p.type === "group") w.roles = { "@type": "Default" };
    if (str(p.description)) w.description = str(p.description);
    // Recovery mode keeps the old id for `restore-<id>` creates (crates/jmap/src/registry/mapping/principal.rs:65-73).
    const id = Number(p.id);
    to.accounts.set(id, AccountKind.build(to, w, id));
    to.reserveId("Account", id);
    to.uncounted.set(id, usage.get(id) ?? 0);
    accounts.set(nm, `${local}@${domain}`);
  }
  return { accounts };
}
