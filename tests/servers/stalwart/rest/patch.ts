// PATCH /api/principal/{name}: a JSON array of {action, field, value}, applied in order to a copy and
// written in one batch at the end, so any error writes nothing (README §5, `update_principal`).
// Quirks kept on purpose: `set` on memberOf, lists or roles replaces all three (one shared store);
// ≥0.14 `addItem secrets` replaces the password; `removeItem secrets ""` drops app passwords and TOTP.
import type { Principal, RestDirectory } from "./directory";
import { fieldAlreadyExists, fieldMissing, invalidParameter, unsupported } from "./errors";
import { BadRequest, MAX_STRING } from "./serde";
import { checkEmail, checkMembership, checkPermission, type MembershipField } from "./validate";

const ACTIONS = ["set", "addItem", "removeItem"];
const FIELDS = [
  "name",
  "type",
  "quota",
  "usedQuota",
  "description",
  "secrets",
  "emails",
  "memberOf",
  "roles",
  "lists",
  "members",
  "enabledPermissions",
  "disabledPermissions",
  "picture",
  "urls",
  "externalMembers",
  "tenant",
  "locale",
];

type Value = string | number | string[];
interface Change {
  action: string;
  field: string;
  value: Value;
}

/** serde: unknown action or field, or a value that is neither string, unsigned integer nor string list, is a 400. */
export function parseChanges(body: unknown): Change[] {
  if (!Array.isArray(body)) throw new BadRequest("expected a list of changes");
  return body.map((c) => {
    if (!c || typeof c !== "object" || Array.isArray(c)) throw new BadRequest("expected an object");
    const { action, field, value, ...rest } = c as Record<string, unknown>;
    if (Object.keys(rest).length > 0 || !ACTIONS.includes(String(action)) || !FIELDS.includes(String(field)))
      throw new BadRequest("bad change");
    const ok =
      (typeof value === "string" && Buffer.byteLength(value) <= MAX_STRING) ||
      (Number.isSafeInteger(value) && (value as number) >= 0) ||
      (Array.isArray(value) && value.every((x) => typeof x === "string"));
    // JSON null is "unit" to serde_json, which the value parser does not take.
    if (!ok) throw new BadRequest("bad value");
    return { action: String(action), field: String(field), value: value as Value };
  });
}

export function patchPrincipal(dir: RestDirectory, target: Principal, body: unknown): void {
  const changes = parseChanges(body);
  const p: Principal = structuredClone(target);
  for (const c of changes) apply(dir, p, c);
  dir.principals.set(p.id, p);
}

function apply(dir: RestDirectory, p: Principal, { action, field, value }: Change): void {
  const bad = () => invalidParameter(field, value);
  const str = typeof value === "string" ? value : undefined;
  switch (field) {
    case "name": {
      if (action !== "set" || str === undefined) throw bad();
      const name = str.toLowerCase();
      if (name === "") throw fieldMissing("name");
      const holder = dir.byName(name);
      if (holder && holder.id !== p.id) throw fieldAlreadyExists("name", name);
      p.name = name;
      return;
    }
    case "description":
    case "picture":
    case "locale":
      if (action !== "set" || str === undefined) throw bad();
      p[field] = str === "" ? undefined : str;
      return;
    case "quota":
      if (action !== "set" || !["individual", "group", "tenant"].includes(p.type)) throw bad();
      if (typeof value === "number") p.quota = value;
      else if (str === "") p.quota = undefined;
      else throw bad();
      return;
    case "secrets":
      return secrets(p, action, value, bad);
    case "emails":
      return emails(dir, p, action, value, bad);
    case "memberOf":
    case "lists":
    case "roles":
      return membership(dir, p, field, action, value, bad);
    case "members":
      if (!["group", "list", "role"].includes(p.type)) throw bad();
      return setOrItem(
        p.members,
        action,
        value,
        (x) => x.toLowerCase(),
        bad,
        (v) => (p.members = v),
      );
    case "enabledPermissions":
    case "disabledPermissions":
      return setOrItem(
        p[field],
        action,
        value,
        (x) => checkPermission(field, x),
        bad,
        (v) => (p[field] = v),
      );
    case "urls":
    case "externalMembers":
      return setOrItem(
        p[field],
        action,
        value,
        (x) => x,
        bad,
        (v) => (p[field] = v),
      );
    case "tenant":
      throw unsupported("Enterprise feature");
    default:
      throw bad(); // type, usedQuota
  }
}

function setOrItem(
  current: string[],
  action: string,
  value: Value,
  check: (x: string) => string,
  bad: () => Error,
  store: (v: string[]) => void,
): void {
  if (action === "set") {
    if (Array.isArray(value)) return store([...new Set(value.map(check))]);
    if (typeof value === "string") return store([check(value)]);
    throw bad();
  }
  if (typeof value !== "string") throw bad();
  if (action === "addItem") {
    const x = check(value);
    if (!current.includes(x)) store([...current, x]);
  } else {
    store(current.filter((x) => x !== value));
  }
}

function secrets(p: Principal, action: string, value: Value, bad: () => Error): void {
  if (action === "set") {
    if (typeof value === "string") p.secrets = [value];
    else if (Array.isArray(value)) p.secrets = [...value];
    else throw bad();
    return;
  }
  if (typeof value !== "string") throw bad();
  const isPassword = (s: string) => !s.startsWith("otpauth://") && !s.startsWith("$app$");
  if (action === "addItem") {
    if (value.startsWith("otpauth://"))
      p.secrets = [value, ...p.secrets.filter((s) => !s.startsWith("otpauth://"))];
    else if (value.startsWith("$app$")) p.secrets.push(value);
    else p.secrets = [...p.secrets.filter((s) => !isPassword(s)), value];
  } else if (value === "") {
    p.secrets = p.secrets.filter(isPassword);
  } else {
    p.secrets = p.secrets.filter((s) => s !== value);
  }
}

function emails(dir: RestDirectory, p: Principal, action: string, value: Value, bad: () => Error): void {
  if (action === "set") {
    // A bare string is refused here, unlike every other list field (README §5).
    if (!Array.isArray(value)) throw bad();
    const next: string[] = [];
    for (const e of value) {
      const lower = p.emails.includes(e.toLowerCase()) ? e.toLowerCase() : checkEmail(dir, p, e, true);
      if (!next.includes(lower)) next.push(lower);
    }
    p.emails = next;
    return;
  }
  if (typeof value !== "string") throw bad();
  const lower = value.toLowerCase();
  if (action === "addItem") {
    if (p.emails.includes(lower)) return;
    p.emails.push(checkEmail(dir, p, lower, true));
  } else if (p.emails[0] === lower) {
    const aliases = p.emails.slice(1).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    p.emails = aliases;
  } else {
    p.emails = p.emails.filter((e) => e !== lower);
  }
}

function membership(
  dir: RestDirectory,
  p: Principal,
  field: MembershipField,
  action: string,
  value: Value,
  bad: () => Error,
): void {
  if (action === "set") {
    if (!Array.isArray(value) && typeof value !== "string") throw bad();
    const items = (Array.isArray(value) ? value : [value]).map((n) => checkMembership(dir, field, n));
    // memberOf, lists and roles live in one store: `set` on one replaces all three.
    p.memberOf = [];
    p.lists = [];
    p.roles = [];
    p[field] = [...new Set(items)];
    return;
  }
  if (typeof value !== "string") throw bad();
  if (action === "addItem") {
    const name = checkMembership(dir, field, value);
    if (!p[field].includes(name)) p[field].push(name);
  } else {
    p[field] = p[field].filter((x) => x !== value.toLowerCase());
  }
}
