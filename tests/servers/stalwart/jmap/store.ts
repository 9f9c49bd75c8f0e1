// The registry of a Stalwart 0.16 server as far as domains and accounts go (jmap-0.16.md §3-§4):
// objects by numeric id per type, ids sequential from 1. Tests may edit the maps directly to
// simulate changes made by hand in the web UI; `deliver` adds mail to an account.
import { verifyPassword } from "../../../../providers/stalwart/passwords";
import type { Caller, Directory } from "../auth";
import { encodeId } from "./ids";

export interface DomainRecord {
  id: number;
  name: string;
  aliases: string[];
  description: string | null;
  isEnabled: boolean;
  createdAt: string;
  dkimManagement: Record<string, unknown>;
  dnsManagement: Record<string, unknown>;
  certificateManagement: Record<string, unknown>;
  subAddressing: Record<string, unknown>;
  catchAllAddress: string | null;
  allowRelaying: boolean;
  reportAddressUri: string | null;
  /** DKIM signature objects linked to the domain (Automatic DKIM creates two: Ed25519 and RSA). */
  dkimSignatures: number;
}

export interface Credential {
  "@type": "Password" | "AppPassword" | "ApiKey";
  credentialId: number;
  /** The stored hash (the server hashes what it is sent, unless it already is a hash). */
  secret: string;
  otpAuth: string | null;
  expiresAt: string | null;
  allowedIps: Record<string, boolean>;
}

export interface Alias {
  name: string;
  domainId: number;
  enabled: boolean;
  description: string | null;
}

export interface AccountRecord {
  id: number;
  type: "User" | "Group";
  name: string;
  domainId: number;
  credentials: Credential[];
  createdAt: string;
  memberGroupIds: number[];
  roles: Record<string, unknown>;
  permissions: Record<string, unknown>;
  quotas: Record<string, number>;
  /** Bytes of mail held; tests raise it with `deliver`. */
  usedDiskQuota: number;
  aliases: Alias[];
  description: string | null;
  locale: string;
  timeZone: string | null;
  encryptionAtRest: Record<string, unknown>;
}

/**
 * Some of what 0.16's default User role grants (camelCase names, crates/registry/src/schema/
 * enums_impl.rs): enough to tell a caller holding them all from one that does not.
 */
export const USER_ROLE_PERMISSIONS_16 = [
  "authenticate",
  "emailSend",
  "emailReceive",
  "imapAuthenticate",
  "jmapEmailGet",
];

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export class JmapStore implements Directory {
  readonly domains = new Map<number, DomainRecord>();
  readonly accounts = new Map<number, AccountRecord>();
  private next = { Domain: 1, Account: 1 };
  /** SystemSettings.defaultDomainId; a login without `@` gets this domain, or `localhost.local`. */
  defaultDomainId: number | undefined;

  newId(type: "Domain" | "Account"): number {
    return this.next[type]++;
  }

  /** Recovery mode's `restore-<id>` creates keep the old id (migrate_v016.py): later creates come after it. */
  reserveId(type: "Domain" | "Account", id: number): void {
    this.next[type] = Math.max(this.next[type], id + 1);
  }

  /**
   * Mail held on disk that the usage counter does not count: after the 0.15 -> 0.16 migration every
   * counter is zero (UPGRADING/v0_16.md, "Disk quotas" in Step 2) until "Recalculate disk quotas" runs.
   */
  readonly uncounted = new Map<number, number>();

  /** The "Recalculate disk quotas" task (UPGRADING/v0_16.md Step 4): counters match the disk again. */
  recalculateDiskQuotas(): void {
    for (const [id, bytes] of this.uncounted) {
      const a = this.accounts.get(id);
      if (a) a.usedDiskQuota += bytes;
    }
    this.uncounted.clear();
  }

  /** The id the next create of `type` gets. */
  peekId(type: "Domain" | "Account"): number {
    return this.next[type];
  }

  address(a: { name: string; domainId: number }): string {
    return `${a.name}@${this.domains.get(a.domainId)?.name ?? "?"}`;
  }

  /** Every address of an account: its own, then its aliases. */
  addresses(a: AccountRecord): string[] {
    return [this.address(a), ...a.aliases.map((x) => this.address(x))];
  }

  accountByAddress(address: string): AccountRecord | undefined {
    for (const a of this.accounts.values()) if (this.address(a) === address) return a;
    return undefined;
  }

  /** Test hook: mail arrives in a mailbox (by its address). */
  deliver(address: string, bytes: number): void {
    const a = this.accountByAddress(address);
    if (!a) throw new Error(`deliver: no account ${address}`);
    a.usedDiskQuota += bytes;
  }

  /** Basic login: the full address (a bare name gets the default domain appended), lowercased (§5). */
  login(username: string, secret: string): Caller | undefined {
    const domain =
      this.defaultDomainId !== undefined ? this.domains.get(this.defaultDomainId)?.name : undefined;
    const address = username.includes("@") ? username : `${username}@${domain ?? "localhost.local"}`;
    const a = this.accountByAddress(address);
    const password = a?.credentials.find((c) => c["@type"] === "Password");
    if (!a || !password || verifyPassword(secret, password.secret) !== true) return undefined;
    const admin = a.roles["@type"] === "Admin";
    // Permissions `Merge`d into the account's own, plus the User role's (jmap-0.16.md §4).
    const merged =
      a.permissions["@type"] === "Merge"
        ? Object.keys((a.permissions.enabledPermissions ?? {}) as object)
        : [];
    const permissions = new Set([
      ...merged,
      ...(a.roles["@type"] === "User" ? USER_ROLE_PERMISSIONS_16 : []),
    ]);
    return { name: address, id: encodeId(a.id), admin, authenticate: true, permissions };
  }

  clear(): void {
    this.domains.clear();
    this.accounts.clear();
    this.uncounted.clear();
    this.next = { Domain: 1, Account: 1 };
    this.defaultDomainId = undefined;
  }
}
