/**
 * A principal in the resource's own vocabulary, the same whichever management API the server
 * speaks, and the one interface both API adapters (rest.ts, jmap.ts) implement. Lists are kept in
 * the server's read-back order (primary address first, then aliases and sets sorted), so a
 * declaration and a read compare equal field by field and a diff never flaps.
 */

export type ApiGeneration = "rest" | "jmap";
export type PrincipalType = "domain" | "individual";

export interface PrincipalSpec {
  readonly type: PrincipalType;
  /** Domain name, or the account's name (its IMAP login on ≤0.15). Lowercase. */
  readonly name: string;
  /** Individuals: primary address first, then aliases sorted. Domains: empty. */
  readonly emails: string[];
  readonly description: string;
  /** Individuals: role names, sorted. */
  readonly roles: string[];
  /** Individuals: disk quota in bytes; 0 is unlimited. */
  readonly quota: number;
  /** Individuals: groups it belongs to (names on ≤0.15, group addresses on 0.16), sorted. */
  readonly memberOf: string[];
}

export interface PrincipalRecord extends PrincipalSpec {
  /** The server's id: a number on ≤0.15 (as text), an opaque base32 id on 0.16. */
  readonly principalId: string;
  /** Bytes of mail held (individuals); undefined when the server's answer does not say (treated as holding mail). */
  readonly usedQuota: number | undefined;
  /** Domains: addresses (≤0.15) or objects (0.16) that still depend on it. */
  readonly dependents: number;
  /**
   * Domains on 0.16: the `@type` of `dkimManagement` (`Automatic` is the server's default and what
   * migrated domains get; `Manual` is what this program declares, as PMG signs). Undefined on ≤0.15.
   */
  readonly dkimManagement?: string;
  /** The stored password string (≤0.15); null when none is stored; undefined when unreadable (0.16 masks it). */
  readonly storedPassword?: string | null;
}

/** How to find a principal again from state: the server id first, then its natural key. */
export interface Locator {
  readonly type: PrincipalType;
  readonly name: string;
  readonly emails: string[];
  readonly principalId?: string;
  /** The API that assigned `principalId`: after the 0.15 → 0.16 migration, ids mean nothing. */
  readonly api?: ApiGeneration;
}

/** Runs a step, handing it a listing's record of the principal where one may stand in for its read (census.ts). */
export interface SharedReads {
  run<T>(principalId: string | undefined, work: (listed?: PrincipalRecord) => Promise<T>): Promise<T>;
}

export interface StalwartApi {
  readonly generation: ApiGeneration;
  /** The server's version when it reports one (only ≤0.15 does, and only since 0.11). */
  readonly version?: string;
  find(at: Locator): Promise<PrincipalRecord | undefined>;
  /** Creates it; `password` (plain text) is hashed on ≤0.15 and sent for the server to hash on 0.16. */
  create(want: PrincipalSpec, password?: string): Promise<PrincipalRecord>;
  /** Changes what differs from `current`; a password is set only when given. */
  update(current: PrincipalRecord, want: PrincipalSpec, password?: string): Promise<PrincipalRecord>;
  /** Deletes it; already gone counts as done. */
  remove(current: PrincipalRecord): Promise<void>;
  /**
   * Runs reads and deletes, answering concurrent ones from one listing where it may (census.ts):
   * whole principals for reads, only what the delete guard needs for deletes (lighter, as deletes
   * keep one listing in flight while they run).
   */
  readonly census: { readonly read: SharedReads; readonly delete: SharedReads };
  /** What an IMAP client logs in with: the name on ≤0.15, the full primary address on 0.16. */
  loginName(p: PrincipalSpec): string;
}

export const SPEC_FIELDS = ["name", "emails", "description", "roles", "quota", "memberOf"] as const;
export type SpecField = (typeof SPEC_FIELDS)[number];

/** A declaration: a spec whose description may be left undefined, i.e. not managed (the server's is kept). */
export type DeclaredSpec = Omit<PrincipalSpec, "description"> & { readonly description?: string };

/** Fields that are labels: a difference is adopted and changed, never a conflict that needs adoptExisting. */
export const LABEL_FIELDS: readonly SpecField[] = ["description"];

/** The fields of `want` that `have` does not match (an undeclared description matches anything). */
export function differences(want: DeclaredSpec, have: PrincipalSpec): SpecField[] {
  return SPEC_FIELDS.filter(
    (f) =>
      !(f === "description" && want.description === undefined) &&
      JSON.stringify(want[f]) !== JSON.stringify(have[f]),
  );
}

/** The declaration completed with what it leaves unmanaged: the description `have` has ("" for a new principal). */
export function resolveSpec<T extends DeclaredSpec>(want: T, have?: PrincipalSpec): T & PrincipalSpec {
  return { ...want, description: want.description ?? have?.description ?? "" };
}

/** Primary first, aliases deduplicated and sorted byte-wise, everything lowercase. */
export function orderEmails(emails: readonly string[]): string[] {
  const lower = emails.map((e) => e.toLowerCase());
  if (lower.length === 0) return [];
  const [primary, ...rest] = lower;
  return [primary, ...sortedSet(rest.filter((e) => e !== primary))];
}

export function sortedSet(items: readonly string[]): string[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Added and removed members between two sets. */
export function setChanges(
  from: readonly string[],
  to: readonly string[],
): { added: string[]; removed: string[] } {
  return { added: to.filter((x) => !from.includes(x)), removed: from.filter((x) => !to.includes(x)) };
}

export function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf("@");
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}
