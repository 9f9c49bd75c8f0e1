/**
 * Stalwart 0.10 to 0.15: the REST principal API (`/api/principal`). Management errors arrive as
 * HTTP 200 with an `error` body, so every answer is judged by its body: only `{"data": ...}` is
 * success. Principals are addressed by (lowercase, percent-encoded) name; the numeric id is only
 * used to find a principal renamed by hand. Passwords go out as `$6$` hashes, never in plain text,
 * because the server stores and returns `secrets` verbatim (README §7).
 */
import { Census } from "./census";
import { grantHint, StalwartApiError } from "./errors";
import { hashForServer } from "./hashing";
import {
  orderEmails,
  setChanges,
  sortedSet,
  type Locator,
  type PrincipalRecord,
  type PrincipalSpec,
  type StalwartApi,
} from "./model";
import type { StalwartTransport } from "./transport";

type Raw = Record<string, unknown>;
type Action = { action: "set" | "addItem" | "removeItem"; field: string; value: string | number | string[] };

const path = (name: string) => `/api/principal/${encodeURIComponent(name)}`;

export class RestApi implements StalwartApi {
  readonly generation = "rest" as const;

  /**
   * Concurrent reads and deletes, from one listing each (census.ts). With no `fields`, list items
   * are whole principals, as GET-by-name answers them (README §5: "With no `fields`, items are full
   * objects, as from GET-by-name"): both come from map_principal, which adds usage ("Obtain used
   * quota") and a domain's address count, and honours `fields` for exactly those
   * (crates/directory/src/backend/internal/manage.rs, v0.10.0-v0.15.5). A server that ignored
   * `fields` would send whole objects: a superset, read the same way.
   */
  readonly census = {
    read: new Census<Raw>(() => this.listing(""), record),
    delete: new Census<Raw>(() => this.listing("&fields=name,usedQuota,members"), record),
  };

  private async listing(fields: string): Promise<Map<string, Raw>> {
    const list = await this.call<{ items?: Raw[] }>(
      "GET",
      `/api/principal?types=individual,domain&limit=0${fields}`,
    );
    return new Map((list.items ?? []).map((raw) => [String(raw.id), raw]));
  }

  constructor(
    private readonly t: StalwartTransport,
    readonly version?: string,
  ) {}

  async find(at: Locator): Promise<PrincipalRecord | undefined> {
    const byName = await this.get(at.name);
    const sameId = !at.principalId || at.api !== "rest" || String(byName?.id) === at.principalId;
    if (byName && byName.type === at.type && sameId) return record(byName);
    if (at.api !== "rest" || !at.principalId) return undefined;
    // Renamed by hand: the id is the only thing that still names it.
    const list = await this.call<{ items?: Raw[] }>("GET", `/api/principal?types=${at.type}&limit=0`);
    const hit = (list.items ?? []).find((p) => String(p.id) === at.principalId);
    return hit ? record(hit) : undefined;
  }

  /** One request: the record is what was sent, with the id POST answered (no read-back; refresh reads). */
  async create(want: PrincipalSpec, password?: string): Promise<PrincipalRecord> {
    const hash = password === undefined ? undefined : await hashForServer(password);
    const body: Raw = { type: want.type, name: want.name };
    if (want.description) body.description = want.description;
    if (want.type === "individual") {
      Object.assign(body, { emails: want.emails, roles: want.roles, memberOf: want.memberOf, lists: [] });
      if (want.quota > 0) body.quota = want.quota;
      if (hash) body.secrets = [hash];
    }
    const id = await this.call<unknown>("POST", "/api/principal", body, [password, hash]);
    return record({ ...body, id, secrets: hash ? [hash] : [] });
  }

  /** One PATCH (none when nothing differs): the record is `current` with the patch applied. */
  async update(current: PrincipalRecord, want: PrincipalSpec, password?: string): Promise<PrincipalRecord> {
    const hash = password === undefined ? undefined : await hashForServer(password);
    const actions = patchActions(current, want, hash);
    if (actions.length > 0)
      await this.call("PATCH", path(current.name), actions, [
        password,
        hash,
        current.storedPassword ?? undefined,
      ]);
    return {
      ...current,
      name: want.name,
      emails: orderEmails(want.emails),
      description: want.description,
      roles: sortedSet(want.roles),
      quota: want.quota,
      memberOf: sortedSet(want.memberOf),
      storedPassword: hash ?? current.storedPassword,
    };
  }

  async remove(current: PrincipalRecord): Promise<void> {
    try {
      await this.call("DELETE", path(current.name));
    } catch (e) {
      if (!(e instanceof StalwartApiError && e.notFound)) throw e;
    }
  }

  loginName(p: PrincipalSpec): string {
    return p.name;
  }

  private async get(name: string): Promise<Raw | undefined> {
    try {
      return await this.call<Raw>("GET", path(name));
    } catch (e) {
      if (e instanceof StalwartApiError && e.notFound) return undefined;
      throw e;
    }
  }

  /** One request; success only when the body has `data` and no `error` (issue #2190: errors come as 200). */
  private async call<T = unknown>(
    method: string,
    p: string,
    body?: unknown,
    secrets: (string | undefined)[] = [],
  ): Promise<T> {
    const hidden = secrets.filter((s): s is string => !!s);
    const a = await this.t.request(method, p, {
      body,
      idempotent: method === "GET" || method === "DELETE",
      secrets: hidden,
    });
    if (a.status !== 200) throw this.t.problem(method, p, a, hidden);
    const j = a.json as Raw | undefined;
    if (j && typeof j === "object" && !Array.isArray(j) && typeof j.error === "string") {
      const { error, ...rest } = j;
      const details = JSON.parse(this.t.redact(JSON.stringify(rest), hidden)) as Raw;
      throw new StalwartApiError(
        { method, path: p, status: 200, kind: error, details },
        grantHint(error, String(details.reason ?? "")),
      );
    }
    if (!j || typeof j !== "object" || !("data" in j)) {
      throw new StalwartApiError({
        method,
        path: p,
        status: a.status,
        kind: "unexpectedBody",
        message: "HTTP 200 without `data` or `error`; is this Stalwart's management API?",
      });
    }
    return j.data as T;
  }
}

/** The PATCH action list from `current` to `want`; memberships by addItem/removeItem, never `set` (README §5). */
export function patchActions(current: PrincipalRecord, want: PrincipalSpec, hash?: string): Action[] {
  const out: Action[] = [];
  if (want.name !== current.name) out.push({ action: "set", field: "name", value: want.name });
  if (want.description !== current.description)
    out.push({ action: "set", field: "description", value: want.description });
  if (want.type !== "individual") return out;
  if (want.quota !== current.quota)
    out.push({ action: "set", field: "quota", value: want.quota > 0 ? want.quota : "" });
  if (want.emails[0] !== current.emails[0]) {
    out.push({ action: "set", field: "emails", value: want.emails });
  } else {
    const c = setChanges(current.emails.slice(1), want.emails.slice(1));
    for (const e of c.removed) out.push({ action: "removeItem", field: "emails", value: e });
    for (const e of c.added) out.push({ action: "addItem", field: "emails", value: e });
  }
  for (const field of ["roles", "memberOf"] as const) {
    const c = setChanges(current[field], want[field]);
    for (const x of c.added) out.push({ action: "addItem", field, value: x });
    for (const x of c.removed) out.push({ action: "removeItem", field, value: x });
  }
  if (hash) {
    // Portable across 0.10-0.15: remove the exact stored string, then add (≤0.13 appends on addItem).
    if (current.storedPassword)
      out.push({ action: "removeItem", field: "secrets", value: current.storedPassword });
    out.push({ action: "addItem", field: "secrets", value: hash });
  }
  return out;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * Bytes of mail an individual holds. 0.10-0.15 leave `usedQuota` out exactly when the counter is 0
 * (crates/directory/src/backend/internal/manage.rs, "Obtain used quota": `if quota > 0`, v0.10.0 to
 * v0.15.5:2533-2543), so absent is 0; anything else that is not a byte count is unknown.
 */
function usage(raw: Raw): number | undefined {
  const v = raw.usedQuota;
  if (v === undefined) return 0;
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** A principal as GET returns it, in the resource's vocabulary. */
export function record(raw: Raw): PrincipalRecord {
  const type = raw.type === "domain" ? "domain" : "individual";
  // TOTP URLs and app passwords share `secrets` with the password (README §7).
  const password = list(raw.secrets).find((s) => !s.startsWith("otpauth://") && !s.startsWith("$app$"));
  return {
    type,
    principalId: String(raw.id),
    name: String(raw.name ?? ""),
    emails: orderEmails(list(raw.emails)),
    description: typeof raw.description === "string" ? raw.description : "",
    roles: sortedSet(list(raw.roles)),
    quota: num(raw.quota),
    memberOf: sortedSet(list(raw.memberOf)),
    usedQuota: usage(raw),
    // A domain's `members` is the number of addresses in it, not a list (README §4).
    dependents: type === "domain" ? num(raw.members) : 0,
    storedPassword: type === "individual" ? (password ?? null) : undefined,
  };
}
