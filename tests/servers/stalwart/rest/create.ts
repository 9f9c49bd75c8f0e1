// POST /api/principal: the checks of `create_principal` in the order Stalwart ≤0.15 runs them; the
// first failure wins and nothing is written (README §5).
import type { Caller } from "../auth";
import { blank, USER_ROLE_PERMISSIONS, type Principal, type RestDirectory } from "./directory";
import { fieldAlreadyExists, fieldMissing, other, unsupported } from "./errors";
import { parsePrincipal } from "./serde";
import { checkEmail, checkMembership, checkPermission } from "./validate";

export function createPrincipal(dir: RestDirectory, body: unknown, caller?: Caller): number {
  const input = parsePrincipal(body);
  if (input.type === "tenant" || input.tenant !== undefined) throw unsupported("Enterprise feature");
  // The caller must hold every permission of each role it grants (crates/http/src/management/
  // principal.rs:136-160 at v0.15.5): `other`, "Invalid role", before any name check.
  if (caller && !caller.admin) {
    for (const role of input.roles) {
      const name = role.toLowerCase();
      const custom = dir.byName(name);
      const grants =
        name === "user"
          ? USER_ROLE_PERMISSIONS
          : name === "admin" || name === "tenant-admin"
            ? undefined
            : custom?.type === "role"
              ? custom.enabledPermissions
              : [];
      if (!grants || grants.some((x) => !caller.permissions?.has(x)))
        throw other("Invalid role", `Your account cannot grant the ${JSON.stringify(name)} role`);
    }
  }
  const name = (input.name ?? "").toLowerCase();
  if (name === "") throw fieldMissing("name");
  if (dir.byName(name)) throw fieldAlreadyExists("name", name);

  const p: Principal = blank(0, input.type, name);
  if (input.description) p.description = input.description;
  if (input.picture) p.picture = input.picture;
  if (input.locale) p.locale = input.locale;
  // ≥0.14 keeps one password: TOTP and app passwords stay, of the rest only the first (issue #2826).
  const password = input.secrets.find((s) => !s.startsWith("otpauth://") && !s.startsWith("$app$"));
  p.secrets = input.secrets.filter(
    (s) => s.startsWith("otpauth://") || s.startsWith("$app$") || s === password,
  );
  p.secrets = p.secrets.filter((s, i) => s !== password || p.secrets.indexOf(s) === i);

  p.memberOf = unique(input.memberOf.map((n) => checkMembership(dir, "memberOf", n)));
  p.lists = unique(input.lists.map((n) => checkMembership(dir, "lists", n)));
  p.roles = unique(input.roles.map((n) => checkMembership(dir, "roles", n)));
  p.members = unique(input.members.map((n) => n.toLowerCase()));
  p.enabledPermissions = unique(
    input.enabledPermissions.map((n) => checkPermission("enabledPermissions", n)),
  );
  p.disabledPermissions = unique(
    input.disabledPermissions.map((n) => checkPermission("disabledPermissions", n)),
  );
  p.urls = input.urls;
  p.externalMembers = input.externalMembers;
  if (input.type !== "oauthClient") {
    const emails: string[] = [];
    for (const e of input.emails) {
      const lower = checkEmail(dir, undefined, e, false);
      if (!emails.includes(lower)) emails.push(lower);
    }
    p.emails = emails;
  } else {
    p.emails = input.emails;
  }
  // A 0 quota on create is not stored (README §4); only individuals, groups and tenants have one.
  if (input.quota && ["individual", "group", "tenant"].includes(input.type)) p.quota = input.quota;

  p.id = dir.newId();
  dir.principals.set(p.id, p);
  return p.id;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
