// Input parsing of a principal body as Stalwart ≤0.15 deserializes it (crates/directory/src/core/
// principal.rs): unknown key, wrong JSON type or a string over 512 bytes is a 400; a list field
// takes a bare string as one item, and drops non-strings and over-long strings inside an array.
import { TYPES, type PType } from "./directory";

export class BadRequest extends Error {}

const STRING_FIELDS = ["name", "description", "picture", "locale", "tenant"] as const;
const LIST_FIELDS = [
  "secrets",
  "emails",
  "roles",
  "memberOf",
  "lists",
  "members",
  "enabledPermissions",
  "disabledPermissions",
  "urls",
  "externalMembers",
] as const;
const IGNORED = ["id", "usedQuota"];
export const MAX_STRING = 512;

export interface PrincipalInput {
  type: PType;
  name?: string;
  description?: string;
  picture?: string;
  locale?: string;
  tenant?: string;
  quota?: number;
  secrets: string[];
  emails: string[];
  roles: string[];
  memberOf: string[];
  lists: string[];
  members: string[];
  enabledPermissions: string[];
  disabledPermissions: string[];
  urls: string[];
  externalMembers: string[];
}

export function parseType(value: unknown): PType {
  if (value === "superuser") return "individual";
  if (typeof value !== "string" || !(TYPES as readonly string[]).includes(value))
    throw new BadRequest(`invalid type ${String(value)}`);
  return value as PType;
}

export function parseList(value: unknown): string[] {
  if (typeof value === "string") {
    if (Buffer.byteLength(value) > MAX_STRING) throw new BadRequest("string too long");
    return [value];
  }
  if (!Array.isArray(value)) throw new BadRequest("expected a list");
  return value.filter((x): x is string => typeof x === "string" && Buffer.byteLength(x) <= MAX_STRING);
}

export function parsePrincipal(body: unknown): PrincipalInput {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new BadRequest("expected an object");
  const out: PrincipalInput = {
    type: "individual",
    secrets: [],
    emails: [],
    roles: [],
    memberOf: [],
    lists: [],
    members: [],
    enabledPermissions: [],
    disabledPermissions: [],
    urls: [],
    externalMembers: [],
  };
  for (const [key, value] of Object.entries(body)) {
    if (IGNORED.includes(key)) continue;
    if (key === "type") {
      out.type = parseType(value);
    } else if ((STRING_FIELDS as readonly string[]).includes(key)) {
      if (value === null) continue;
      if (typeof value !== "string") throw new BadRequest(`${key}: expected a string`);
      if (Buffer.byteLength(value) > MAX_STRING) throw new BadRequest(`${key}: too long`);
      out[key as (typeof STRING_FIELDS)[number]] = value;
    } else if ((LIST_FIELDS as readonly string[]).includes(key)) {
      if (value === null) continue;
      out[key as (typeof LIST_FIELDS)[number]] = parseList(value);
    } else if (key === "quota") {
      if (value === null) continue;
      // Tenants take an array of per-type limits; only the total matters here.
      const q =
        Array.isArray(value) && value.every((x) => Number.isSafeInteger(x) && x >= 0) ? value[0] : value;
      if (!Number.isSafeInteger(q) || (q as number) < 0) throw new BadRequest("quota: expected a number");
      out.quota = q as number;
    } else {
      throw new BadRequest(`invalid principal field: ${key}`);
    }
  }
  return out;
}
