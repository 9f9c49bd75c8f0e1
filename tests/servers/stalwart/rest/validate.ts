// The checks create and PATCH share (crates/directory/src/backend/internal/manage.rs): memberships
// name existing principals of the right type, permissions are known, addresses are free and in a
// domain the server hosts.
import type { Principal, RestDirectory } from "./directory";
import { fieldAlreadyExists, notFound, other } from "./errors";

const PERMISSION_NAMES = new Set([
  "authenticate",
  "authenticate-oauth",
  "email-send",
  "email-receive",
  "imap-authenticate",
  "pop3-authenticate",
  "jmap-email-get",
  "manage-encryption",
  "manage-passwords",
  "impersonate",
  "unlimited-requests",
  "unlimited-uploads",
  ...[
    "individual",
    "domain",
    "group",
    "mailing-list",
    "role",
    "tenant",
    "api-key",
    "oauth-client",
    "principal",
  ].flatMap((t) => ["list", "get", "create", "update", "delete"].map((op) => `${t}-${op}`)),
]);

export type MembershipField = "memberOf" | "lists" | "roles";

/** One membership name: it must exist, and be a group (memberOf), a list (lists) or a role (roles). */
export function checkMembership(dir: RestDirectory, field: MembershipField, name: string): string {
  const lower = name.toLowerCase();
  if (field === "roles") {
    if (!dir.roleExists(lower)) throw notFound(lower);
    return lower;
  }
  const target = dir.byName(lower);
  if (!target) throw notFound(lower);
  const wanted = field === "memberOf" ? "group" : "list";
  if (target.type !== wanted) {
    throw other(
      `Invalid ${field} value`,
      `Principal ${JSON.stringify(lower)} is not a ${wanted === "group" ? "Group, Individual" : "List"}.`,
    );
  }
  return lower;
}

export function checkPermission(field: string, name: string): string {
  if (!PERMISSION_NAMES.has(name))
    throw other(`Invalid ${field} value`, `Permission ${JSON.stringify(name)} is invalid`);
  return name;
}

/**
 * One address being added to `self`: lowercased, not routed to any other principal, its domain a
 * `domain` principal. Without an `@` the domain check is skipped on create; PATCH refuses it.
 */
export function checkEmail(
  dir: RestDirectory,
  self: Principal | undefined,
  email: string,
  onPatch: boolean,
): string {
  const lower = email.toLowerCase();
  if (!lower.includes("@")) {
    if (onPatch) throw other("Invalid email", "Email address is invalid");
  }
  const owner = dir.emailOwner(lower);
  if (owner && owner !== self && owner.id !== self?.id) throw fieldAlreadyExists("emails", lower);
  if (lower.includes("@")) {
    const domain = lower.slice(lower.lastIndexOf("@") + 1);
    if (!dir.domainExists(domain)) throw notFound(domain);
  }
  return lower;
}
