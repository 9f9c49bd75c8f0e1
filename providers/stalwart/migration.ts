/**
 * Where Stalwart's 0.15 -> 0.16 migration puts an account. The upstream converter
 * (stalwartlabs/stalwart resources/scripts/migrate_v016.py at d72608f3) names the 0.16 account
 * after the old principal name, not after its first address:
 *  - `_resolve_name_and_domain` (lines 970-996): a name with `@` is split into local part and
 *    domain; otherwise the local part is the name itself and the domain is
 *    `_infer_primary_domain`'s;
 *  - `_infer_primary_domain` (lines 929-951): the domain of the first address whose local part
 *    equals the name, else the domain of the first address;
 *  - `_build_aliases` (lines 998-1027): every other address becomes an alias.
 * So an account `siem` with addresses [alerts@example.net] becomes `siem@example.net` with the alias
 * `alerts@example.net`, and looking it up by its first address finds nothing.
 */
import { splitAddress } from "./model";

export interface Address {
  readonly local: string;
  readonly domain: string;
}

/** The address migrate_v016.py gives the account `name` with these addresses (≤0.15 order: primary first). */
export function migratedAddress(name: string, emails: readonly string[]): Address | undefined {
  if (name.includes("@")) {
    const a = splitAddress(name);
    return a.local && a.domain ? a : undefined;
  }
  let fallback: string | undefined;
  for (const e of emails) {
    if (!e.includes("@")) continue;
    const { local, domain } = splitAddress(e);
    if (!domain) continue;
    if (local && local === name) return { local: name, domain };
    fallback ??= domain;
  }
  // No address at all: the script uses the deployment's default domain; declared accounts always have one.
  return fallback ? { local: name, domain: fallback } : undefined;
}

/**
 * Where to look for an account on 0.16, in order. State written on ≤0.15 (`api: "rest"`) was
 * migrated by the script's rule, so that address comes first; an account created on 0.16 (or
 * renamed to match the declaration since) is its first address.
 */
export function accountCandidates(at: { name: string; emails: readonly string[]; api?: string }): Address[] {
  const primary = at.emails[0] ? splitAddress(at.emails[0]) : undefined;
  const migrated = migratedAddress(at.name, at.emails);
  const order = at.api === "rest" ? [migrated, primary] : [primary, migrated];
  const out: Address[] = [];
  for (const a of order) if (a && !out.some((o) => o.local === a.local && o.domain === a.domain)) out.push(a);
  return out;
}
