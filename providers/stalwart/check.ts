/**
 * `check` for StalwartPrincipal: validates every property before any request, and normalizes what
 * the server would normalize (lowercase names and addresses, primary address first, aliases and
 * sets sorted), so the declaration equals the server's read-back and no diff flaps on case or order.
 * Preview unknowns pass untouched.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { orderEmails, sortedSet } from "./model";

export interface PrincipalInputs {
  readonly endpoint: string;
  readonly type: "domain" | "individual";
  readonly name: string;
  readonly emails: string[];
  /** Undefined: not managed; an adopted principal keeps its own. */
  readonly description?: string;
  readonly roles: string[];
  readonly quota: number;
  readonly memberOf: string[];
  readonly allowMailboxDeletion: boolean;
}

export const INPUT_KEYS: (keyof PrincipalInputs)[] = [
  "endpoint",
  "type",
  "name",
  "emails",
  "description",
  "roles",
  "quota",
  "memberOf",
  "allowMailboxDeletion",
];
const INDIVIDUAL_ONLY = ["emails", "roles", "quota", "memberOf", "allowMailboxDeletion"] as const;

/** The ≤0.15 login name: letters, digits and . _ + - (0.16 rejects more than ≤0.15 did), or a full address. */
const ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9_+-])?$/;
const ROLE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function checkPrincipal(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: pulumi.dynamic.CheckFailure[];
} {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const add = (property: string, reason: v.Problem) => reason && failures.push({ property, reason });
  const known = (x: unknown) => !v.isUnknown(x);
  const out: Record<string, unknown> = { ...news };

  if (known(news.endpoint)) add("endpoint", v.endpoint(news.endpoint, ["https:", "http:"]));
  const type = news.type;
  if (known(type) && type !== "domain" && type !== "individual")
    add("type", `must be "domain" or "individual", got ${JSON.stringify(type)}`);
  const individual = type === "individual";

  if (typeof news.name === "string") out.name = news.name.trim().toLowerCase();
  if (known(news.name)) {
    const name = out.name;
    if (type === "domain") add("name", v.mailDomain(name));
    else if (
      typeof name !== "string" ||
      !(ACCOUNT_NAME.test(name) || (name.includes("@") && !v.email(name)))
    ) {
      add(
        "name",
        `${JSON.stringify(name)} is not an account name: use letters, digits and . _ + - (at most 64), or a full address`,
      );
    }
  }

  // Left out, the description is not managed: an adopted principal keeps the one it has.
  if (news.description === undefined || news.description === null) delete out.description;
  else if (known(news.description)) add("description", description(news.description));

  if (type === "domain") {
    for (const k of INDIVIDUAL_ONLY)
      if (news[k] !== undefined && known(news[k]))
        add(k, "is for individual accounts only; remove it from this domain");
    Object.assign(out, { emails: [], roles: [], quota: 0, memberOf: [], allowMailboxDeletion: false });
  } else if (individual || !known(type)) {
    out.emails = list(news.emails, add, "emails", (e) => v.email(e), true);
    if (Array.isArray(out.emails) && out.emails.every(known)) {
      if (out.emails.length === 0)
        add(
          "emails",
          "must list at least one address; the first is the primary address (and the login on Stalwart 0.16+)",
        );
      out.emails = orderEmails(out.emails as string[]);
    }
    out.roles =
      news.roles === undefined
        ? ["user"]
        : list(
            news.roles,
            add,
            "roles",
            (r) => (ROLE_NAME.test(String(r)) ? undefined : `${JSON.stringify(r)} is not a role name`),
            true,
          );
    if (Array.isArray(out.roles) && out.roles.length === 0)
      add("roles", "must not be empty: an account without roles cannot log in (use [user])");
    out.memberOf = list(
      news.memberOf ?? [],
      add,
      "memberOf",
      (g) => (typeof g === "string" && g.trim() ? undefined : "must name a group"),
      true,
    );
    out.quota = news.quota ?? 0;
    if (known(out.quota) && (!Number.isSafeInteger(out.quota) || (out.quota as number) < 0)) {
      add("quota", `must be a whole number of bytes, 0 for unlimited; got ${JSON.stringify(news.quota)}`);
    }
    out.allowMailboxDeletion = news.allowMailboxDeletion ?? false;
    if (known(out.allowMailboxDeletion) && typeof out.allowMailboxDeletion !== "boolean")
      add("allowMailboxDeletion", "must be true or false");
  }

  for (const k of Object.keys(news)) {
    if (k !== "__provider" && !INPUT_KEYS.includes(k as keyof PrincipalInputs))
      add(k, "is not a property of StalwartPrincipal");
  }
  return { inputs: out, failures };
}

function description(value: unknown): v.Problem {
  if (typeof value !== "string") return "must be a string";
  if (/[\x00-\x1f\x7f]/.test(value)) return "must be one line without control characters";
  // ≤0.15 answers 400 for any string over 512 bytes.
  if (Buffer.byteLength(value) > 512)
    return `is ${Buffer.byteLength(value)} bytes long; Stalwart accepts at most 512`;
  return undefined;
}

/** A list of strings, each checked and lowercased; sorted as a set unless it is the address list. */
function list(
  value: unknown,
  add: (p: string, r: v.Problem) => unknown,
  property: string,
  each: (x: unknown) => v.Problem,
  lower: boolean,
): unknown {
  if (v.isUnknown(value)) return value;
  if (!Array.isArray(value)) {
    add(property, `must be a list, got ${JSON.stringify(value)}`);
    return value;
  }
  const items = value.map((x, i) => {
    if (v.isUnknown(x)) return x;
    const p = each(x);
    if (p) add(`${property}[${i}]`, p);
    return typeof x === "string" && lower ? x.trim().toLowerCase() : x;
  });
  if (property === "emails" || items.some(v.isUnknown)) return items;
  return sortedSet(items.map(String));
}
