// The internal directory of a Stalwart ≤0.15 server: principals by numeric id, one name namespace
// across every type, addresses unique across principals, secrets stored verbatim (README §4-§9).
// Tests may edit `principals` directly to simulate changes made by hand in the webadmin.
import { verifyPassword } from "../../../../providers/stalwart/passwords";
import type { Caller, Directory } from "../auth";

export const TYPES = [
  "individual",
  "group",
  "list",
  "domain",
  "tenant",
  "role",
  "apiKey",
  "oauthClient",
  "resource",
  "location",
  "other",
] as const;
export type PType = (typeof TYPES)[number];
export const BUILTIN_ROLES = ["user", "admin", "tenant-admin"];

/**
 * Some of what the built-in `user` role grants (crates/common/src/auth/roles.rs:181-192 at v0.15.5:
 * every permission whose `is_user_permission()` is true): enough to tell a caller that holds them
 * all from one that does not. No management permission is among them.
 */
export const USER_ROLE_PERMISSIONS = [
  "authenticate",
  "authenticate-oauth",
  "email-send",
  "email-receive",
  "imap-authenticate",
  "manage-encryption",
  "manage-passwords",
];

export interface Principal {
  id: number;
  type: PType;
  name: string;
  description?: string;
  /** Verbatim, as sent: the password (hash or plain text), TOTP URL, app passwords. */
  secrets: string[];
  /** Primary first, then aliases. */
  emails: string[];
  quota?: number;
  /** Bytes of mail held; tests raise it with `deliver`. */
  usedQuota: number;
  roles: string[];
  memberOf: string[];
  lists: string[];
  members: string[];
  enabledPermissions: string[];
  disabledPermissions: string[];
  urls: string[];
  externalMembers: string[];
  picture?: string;
  locale?: string;
}

export function blank(id: number, type: PType, name: string): Principal {
  return {
    id,
    type,
    name,
    secrets: [],
    emails: [],
    usedQuota: 0,
    roles: [],
    memberOf: [],
    lists: [],
    members: [],
    enabledPermissions: [],
    disabledPermissions: [],
    urls: [],
    externalMembers: [],
  };
}

const byteSort = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class RestDirectory implements Directory {
  readonly principals = new Map<number, Principal>();
  private nextId = 1;

  newId(): number {
    return this.nextId++;
  }

  byName(name: string): Principal | undefined {
    for (const p of this.principals.values()) if (p.name === name) return p;
    return undefined;
  }

  /** The principal an address is routed to (principal address or list address). */
  emailOwner(email: string): Principal | undefined {
    for (const p of this.principals.values()) if (p.emails.includes(email)) return p;
    return undefined;
  }

  domainExists(domain: string): boolean {
    return [...this.principals.values()].some((p) => p.type === "domain" && p.name === domain);
  }

  roleExists(name: string): boolean {
    return BUILTIN_ROLES.includes(name) || this.byName(name)?.type === "role";
  }

  /** Test hook: mail arrives in a mailbox. */
  deliver(name: string, bytes: number): void {
    const p = this.byName(name);
    if (!p) throw new Error(`deliver: no principal ${name}`);
    p.usedQuota += bytes;
  }

  /** Basic login of a directory user: by name only, never by address (README §10). */
  login(username: string, secret: string): Caller | undefined {
    const p = this.byName(username);
    if (!p || p.type !== "individual") return undefined;
    const ok = p.secrets.some((s) => {
      if (s.startsWith("otpauth://")) return false;
      const app = /^\$app\$[^$]*\$(.*)$/.exec(s);
      return verifyPassword(secret, app ? app[1] : s) === true;
    });
    if (!ok) return undefined;
    const admin = p.roles.includes("admin");
    const permissions = new Set([
      ...p.enabledPermissions,
      ...(p.roles.includes("user") ? USER_ROLE_PERMISSIONS : []),
      ...p.roles.flatMap((r) => (this.byName(r)?.type === "role" ? this.byName(r)!.enabledPermissions : [])),
    ]);
    return {
      name: p.name,
      id: String(p.id),
      admin,
      authenticate: admin || permissions.has("authenticate"),
      permissions,
    };
  }

  /** GET's view of a principal (`map_principal`): empty fields omitted, aliases sorted. */
  view(p: Principal): Record<string, unknown> {
    const out: Record<string, unknown> = { id: p.id, type: p.type, name: p.name };
    if (p.description) out.description = p.description;
    if (p.secrets.length) {
      const order = (s: string) => (s.startsWith("otpauth://") ? 0 : s.startsWith("$app$") ? 2 : 1);
      out.secrets = [...p.secrets].sort((a, b) => order(a) - order(b));
    }
    if (p.emails.length) out.emails = [p.emails[0], ...p.emails.slice(1).sort(byteSort)];
    if (p.quota !== undefined) out.quota = p.quota;
    if (p.usedQuota > 0 && ["individual", "group", "tenant"].includes(p.type)) out.usedQuota = p.usedQuota;
    for (const k of [
      "roles",
      "memberOf",
      "lists",
      "enabledPermissions",
      "disabledPermissions",
      "urls",
      "externalMembers",
    ] as const) {
      if (p[k].length) out[k] = [...p[k]];
    }
    if (p.type === "domain")
      out.members = [...this.principals.values()]
        .flatMap((x) => x.emails)
        .filter((e) => e.endsWith(`@${p.name}`)).length;
    else if (p.type === "tenant") out.members = 0;
    else if (p.members.length) out.members = [...p.members];
    if (p.picture) out.picture = p.picture;
    if (p.locale) out.locale = p.locale;
    return out;
  }

  clear(): void {
    this.principals.clear();
    this.nextId = 1;
  }
}
