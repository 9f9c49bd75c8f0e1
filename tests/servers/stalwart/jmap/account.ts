// x:Account with @type User or Group (jmap-0.16.md §4): the address is name@domain, every address
// (own and aliases) is unique across accounts, passwords are strength-checked, hashed and read back
// masked, at most one Password credential, and secondary credentials cannot be set here.
import { hashPassword } from "../../../../providers/stalwart/passwords";
import {
  invalidForeignKey,
  invalidPatch,
  invalidProperties,
  invalidValue,
  objectIsLinked,
  primaryKeyViolation,
  required,
} from "./errors";
import type { Caller } from "../auth";
import { SetError } from "./errors";
import { decodeId, encodeId } from "./ids";
import type { Kind, Wire } from "./kind";
import { toArray } from "./patch";
import {
  now,
  USER_ROLE_PERMISSIONS_16,
  type AccountRecord,
  type Alias,
  type Credential,
  type JmapStore,
} from "./store";
import { isPrehashed, passwordProblem, sanitizeLocal } from "./validate";

const MASK = "****";
const typed = (v: unknown, allowed: string[]) =>
  !!v && typeof v === "object" && allowed.includes(String((v as Wire)["@type"]));

function domainRef(s: JmapStore, raw: unknown, property: string): number {
  if (raw === undefined || raw === null) throw required(property);
  const id = decodeId(raw);
  if (id === undefined || !s.domains.has(id)) throw invalidForeignKey("Domain", String(raw));
  return id;
}

function credentials(w: Wire, existing?: AccountRecord): Credential[] {
  const out: Credential[] = [];
  let nextId = Math.max(0, ...(existing?.credentials ?? []).map((c) => c.credentialId + 1));
  for (const raw of toArray(w.credentials)) {
    const c = (raw ?? {}) as Wire;
    if (!typed(c, ["Password", "AppPassword", "ApiKey"]))
      throw invalidPatch("Missing or invalid '@type' property in object", ["credentials"]);
    if ("credentialId" in c) throw invalidPatch("Cannot modify server set property", ["credentialId"]);
    const old = existing?.credentials.find((x) => x.credentialId === c.__cid);
    if (!old && c["@type"] !== "Password")
      throw invalidProperties("Secondary credentials cannot be set directly.", ["credentials"]);
    let secret: string;
    if (c.secret === MASK && old) secret = old.secret;
    else if (typeof c.secret !== "string" || c.secret === "" || c.secret === MASK)
      throw invalidValue("secret");
    // Since 0.16.6 a string that parses as a known hash is stored verbatim, unchecked.
    else if (isPrehashed(c.secret)) secret = c.secret;
    else {
      const problem = passwordProblem(c.secret);
      if (problem) throw invalidProperties(problem, ["secret"]);
      secret = hashPassword(c.secret);
    }
    out.push({
      "@type": c["@type"] as Credential["@type"],
      credentialId: old?.credentialId ?? nextId++,
      secret,
      otpAuth: typeof c.otpAuth === "string" && c.otpAuth !== MASK ? c.otpAuth : (old?.otpAuth ?? null),
      expiresAt: typeof c.expiresAt === "string" ? c.expiresAt : null,
      allowedIps: (c.allowedIps ?? {}) as Record<string, boolean>,
    });
  }
  if (out.filter((c) => c["@type"] === "Password").length > 1)
    throw invalidProperties("Only one password credential is allowed.", ["credentials"]);
  return out;
}

/**
 * A caller may give an account only permissions it holds itself (`can_set_permissions`,
 * crates/common/src/auth/permissions.rs:107-159; the SetError of crates/jmap/src/registry/mapping/
 * principal.rs:257-263 and 490-507 at d72608f3: forbidden, at most five names, then "and N more").
 */
export function checkGrant(caller: Caller | undefined, w: Wire): void {
  if (!caller || caller.admin || w["@type"] !== "User") return;
  const roles = (w.roles ?? {}) as Wire;
  const granted =
    roles["@type"] === "User" ? USER_ROLE_PERMISSIONS_16 : roles["@type"] === "Admin" ? ["*"] : [];
  const missing = granted.filter((p) => !caller.permissions?.has(p));
  if (missing.length === 0) return;
  const named =
    missing.slice(0, 5).join(", ") + (missing.length > 5 ? ` and ${missing.length - 5} more` : "");
  throw new SetError({
    type: "forbidden",
    description: `You are not authorized to grant permissions: ${named}`,
  });
}

export const AccountKind: Kind<AccountRecord> = {
  name: "Account",
  shape: {
    writable: [
      "name",
      "domainId",
      "credentials",
      "memberGroupIds",
      "roles",
      "permissions",
      "quotas",
      "aliases",
      "description",
      "locale",
      "timeZone",
      "encryptionAtRest",
      "memberTenantId",
    ],
    serverSet: ["emailAddress", "createdAt", "usedDiskQuota"],
    lists: ["credentials", "aliases"],
    sets: ["memberGroupIds"],
    maps: ["quotas"],
  },
  records: (s) => s.accounts,
  defaults: () => ({
    credentials: {},
    memberGroupIds: {},
    roles: { "@type": "User" },
    permissions: { "@type": "Inherit" },
    quotas: {},
    aliases: {},
    description: null,
    locale: "en_US",
    timeZone: null,
    encryptionAtRest: { "@type": "Disabled" },
    memberTenantId: null,
  }),
  wire: (_s, a) => ({
    "@type": a.type,
    name: a.name,
    domainId: encodeId(a.domainId),
    credentials: Object.fromEntries(
      a.credentials.map((c, i) => [
        String(i),
        {
          "@type": c["@type"],
          __cid: c.credentialId,
          secret: MASK,
          otpAuth: c.otpAuth ? MASK : null,
          expiresAt: c.expiresAt,
          allowedIps: c.allowedIps,
        },
      ]),
    ),
    memberGroupIds: Object.fromEntries(a.memberGroupIds.map((g) => [encodeId(g), true])),
    roles: a.roles,
    permissions: a.permissions,
    quotas: { ...a.quotas },
    aliases: Object.fromEntries(
      a.aliases.map((x, i) => [
        String(i),
        { name: x.name, domainId: encodeId(x.domainId), enabled: x.enabled, description: x.description },
      ]),
    ),
    description: a.description,
    locale: a.locale,
    timeZone: a.timeZone,
    encryptionAtRest: a.encryptionAtRest,
    memberTenantId: null,
  }),
  view(s, a) {
    const w = this.wire(s, a);
    const creds = Object.fromEntries(
      a.credentials.map((c, i) => [
        String(i),
        {
          "@type": c["@type"],
          credentialId: encodeId(c.credentialId),
          secret: MASK,
          otpAuth: c.otpAuth ? MASK : null,
          expiresAt: c.expiresAt,
          allowedIps: c.allowedIps,
        },
      ]),
    );
    return {
      id: encodeId(a.id),
      ...w,
      credentials: creds,
      emailAddress: s.address(a),
      createdAt: a.createdAt,
      usedDiskQuota: a.usedDiskQuota,
    };
  },
  build(s, w, id, existing) {
    if (!typed(w, ["User", "Group"])) throw invalidPatch("Missing or invalid '@type' property in object");
    const type = w["@type"] as AccountRecord["type"];
    if (existing && existing.type !== type)
      throw invalidProperties("Cannot change the type of an existing account.", ["@type"]);
    if (w.name === undefined || w.name === null) throw required("name");
    const name = sanitizeLocal(w.name);
    if (!name) throw invalidPatch("Invalid email local part", ["name"]);
    const domainId = domainRef(s, w.domainId, "domainId");
    const aliases: Alias[] = toArray(w.aliases).map((raw, i) => {
      const x = (raw ?? {}) as Wire;
      const local = sanitizeLocal(x.name);
      if (!local) throw invalidPatch("Invalid email local part", [`aliases/${i}/name`]);
      if (x.description !== undefined && x.description !== null && typeof x.description !== "string")
        throw invalidValue(`aliases/${i}/description`);
      return {
        name: local,
        domainId: domainRef(s, x.domainId, `aliases/${i}/domainId`),
        enabled: x.enabled !== false,
        description: (x.description as string | null) ?? null,
      };
    });
    const roles = w.roles as Wire;
    if (!typed(roles, type === "User" ? ["User", "Admin", "Custom"] : ["Default", "Custom"]))
      throw invalidValue("roles");
    if (!typed(w.permissions, ["Inherit", "Merge", "Replace"])) throw invalidValue("permissions");
    const quotas = (w.quotas ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(quotas))
      if (!k.startsWith("max") || !Number.isSafeInteger(v) || (v as number) < 0)
        throw invalidValue(`quotas/${k}`);
    const memberGroupIds = Object.keys((w.memberGroupIds ?? {}) as Wire).map((g) => {
      const gid = decodeId(g);
      if (gid === undefined || gid === id || s.accounts.get(gid)?.type !== "Group")
        throw invalidForeignKey("Account", g);
      return gid;
    });
    if (w.description !== null && (typeof w.description !== "string" || w.description === ""))
      throw invalidValue("description");
    if (typeof w.locale !== "string") throw invalidValue("locale");
    if (w.timeZone !== null && typeof w.timeZone !== "string") throw invalidValue("timeZone");
    if (!typed(w.encryptionAtRest, ["Disabled", "Aes128", "Aes256"])) throw invalidValue("encryptionAtRest");
    const record: AccountRecord = {
      id,
      type,
      name,
      domainId,
      credentials: type === "User" ? credentials(w, existing) : [],
      createdAt: existing?.createdAt ?? now(),
      memberGroupIds,
      roles,
      permissions: w.permissions as Wire,
      quotas: quotas as Record<string, number>,
      usedDiskQuota: existing?.usedDiskQuota ?? 0,
      aliases,
      description: w.description as string | null,
      locale: w.locale,
      timeZone: w.timeZone as string | null,
      encryptionAtRest: w.encryptionAtRest as Wire,
    };
    const mine = s.addresses(record);
    for (const other of s.accounts.values()) {
      if (other.id !== id && s.addresses(other).some((x) => mine.includes(x)))
        throw primaryKeyViolation("email", "Account", encodeId(other.id));
    }
    return record;
  },
  checkDestroy(s, a) {
    const members = [...s.accounts.values()].filter((x) => x.memberGroupIds.includes(a.id));
    if (members.length > 0)
      throw objectIsLinked(
        "Account",
        encodeId(a.id),
        members.map((m) => ({ object: "Account", id: encodeId(m.id) })),
      );
  },
  matches(s, a, key, value) {
    if (key === "name") return typeof value === "string" ? a.name === value : undefined;
    if (key === "domainId") return typeof value === "string" ? encodeId(a.domainId) === value : undefined;
    if (key === "@type") return value === "User" || value === "Group" ? a.type === value : undefined;
    if (key === "memberGroupIds")
      return typeof value === "string" ? a.memberGroupIds.map(encodeId).includes(value) : undefined;
    if (key === "text")
      return typeof value === "string"
        ? [...s.addresses(a), a.description ?? ""].join(" ").toLowerCase().includes(value.toLowerCase())
        : undefined;
    if (key === "memberTenantId") return value === null;
    return undefined;
  },
};
