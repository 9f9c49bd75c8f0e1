// The /api routes of Stalwart ≤0.15 that principal management uses (README §5), after
// authentication. Unknown routes and methods are a 404 problem; management failures are HTTP 200
// with an `error` body; bad JSON is a 400 problem.
import { randomBytes } from "node:crypto";
import type { Caller } from "../auth";
import { forbidden, invalidParameters, json, notFound as routeNotFound, type Reply } from "../http";
import { createPrincipal } from "./create";
import { TYPES, type RestDirectory } from "./directory";
import { ManagementError, notFound } from "./errors";
import { patchPrincipal } from "./patch";
import { BadRequest } from "./serde";

export interface RestContext {
  dir: RestDirectory;
  caller: Caller;
  version: string;
  onDestroy(): void;
}

const ok = (data: unknown): Reply => ({ ...json({ data }), shuffleKeys: true });

/** The route template a request matches, for counters; undefined when none does. */
export function restRoute(method: string, path: string): string | undefined {
  if (path === "/api/principal" && ["GET", "POST", "DELETE"].includes(method))
    return `${method} /api/principal`;
  if (/^\/api\/principal\/[^/]+$/.test(path) && ["GET", "PATCH", "DELETE"].includes(method))
    return `${method} /api/principal/{name}`;
  if (/^\/api\/store\/quota\/[^/]+$/.test(path) && ["GET", "DELETE"].includes(method))
    return `${method} /api/store/quota/{name}`;
  if (path === "/api/oauth" && method === "POST") return "POST /api/oauth";
  return undefined;
}

export function handleRest(
  ctx: RestContext,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Reply {
  const route = restRoute(method, path);
  if (!route) return routeNotFound();
  // Management needs permissions the user role does not grant, per principal type (individual-create,
  // domain-get, ...: crates/http/src/management/principal.rs:88-98 at v0.15.5).
  if (route !== "POST /api/oauth" && !ctx.caller.admin && !permitted(ctx, route, path, query, body))
    return forbidden();
  try {
    const name = decodeURIComponent(path.split("/").pop() ?? "");
    switch (route) {
      case "GET /api/principal":
        return ok(list(ctx.dir, query));
      case "POST /api/principal":
        return ok(createPrincipal(ctx.dir, body, ctx.caller));
      case "DELETE /api/principal":
        return bulkDelete(ctx, query);
      case "GET /api/principal/{name}": {
        const p = ctx.dir.byName(name);
        if (!p) throw notFound(name);
        return ok(ctx.dir.view(p));
      }
      case "PATCH /api/principal/{name}": {
        const p = ctx.dir.byName(name);
        if (!p) throw notFound(name);
        patchPrincipal(ctx.dir, p, body);
        return ok(null);
      }
      case "DELETE /api/principal/{name}": {
        const p = ctx.dir.byName(name);
        if (!p) throw notFound(name);
        // Individuals and groups lose all their mail at once: Stalwart checks nothing (README §5).
        ctx.dir.principals.delete(p.id);
        ctx.onDestroy();
        return ok(null);
      }
      case "GET /api/store/quota/{name}":
      case "DELETE /api/store/quota/{name}": {
        const p = ctx.dir.byName(name);
        if (!p) throw notFound("");
        return ok(p.usedQuota);
      }
      default:
        return oauth(ctx, body);
    }
  } catch (e) {
    if (e instanceof ManagementError) return e.reply();
    if (e instanceof BadRequest || e instanceof URIError) return invalidParameters();
    throw e;
  }
}

/** The ≤0.15 permission prefix of each principal type (crates/directory/src/lib.rs `Permission`). */
const PREFIX: Record<string, string> = {
  individual: "individual",
  group: "group",
  list: "mailing-list",
  domain: "domain",
  tenant: "tenant",
  role: "role",
};

/** Whether a non-admin caller holds the permission the route needs for the principal type concerned. */
function permitted(
  ctx: RestContext,
  route: string,
  path: string,
  q: URLSearchParams,
  body: unknown,
): boolean {
  const has = (type: string, op: string) =>
    ctx.caller.permissions?.has(`${PREFIX[type] ?? "principal"}-${op}`);
  if (route === "GET /api/principal") {
    const asked = (q.get("types") ?? q.get("type") ?? "")
      .split(",")
      .filter((t) => TYPES.includes(t as never));
    return (asked.length > 0 ? asked : [...TYPES]).every((t) => has(t, "list"));
  }
  if (route === "POST /api/principal") {
    const type = (body as { type?: unknown } | undefined)?.type;
    return has(typeof type === "string" ? type : "individual", "create") === true;
  }
  const op = {
    "GET /api/principal/{name}": "get",
    "PATCH /api/principal/{name}": "update",
    "DELETE /api/principal/{name}": "delete",
  }[route];
  if (!op) return false;
  let target;
  try {
    target = ctx.dir.byName(decodeURIComponent(path.split("/").pop() ?? "").toLowerCase());
  } catch {
    return false;
  }
  // Unknown names get past to notFound, as the real handler looks the principal up first.
  return !target || has(target.type, op) === true;
}

function list(dir: RestDirectory, q: URLSearchParams): { items: unknown[]; total: number } {
  const asked = (q.get("types") ?? q.get("type") ?? "")
    .split(",")
    .filter((t) => (TYPES as readonly string[]).includes(t));
  const words = (q.get("filter") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const matches = [...dir.principals.values()]
    .filter((p) => asked.length === 0 || asked.includes(p.type))
    .filter((p) => {
      const tokens = new Set(
        [p.name, p.description ?? "", ...p.emails]
          .join(" ")
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean),
      );
      return words.every((w) => tokens.has(w));
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (q.has("count")) return { items: [], total: matches.length };
  const limit = Number(q.get("limit") ?? 0) || 0;
  const page = Math.max(1, Number(q.get("page") ?? 1) || 1);
  const slice = limit > 0 ? matches.slice((page - 1) * limit, page * limit) : matches;
  const fields = (q.get("fields") ?? "").split(",").filter(Boolean);
  return { items: slice.map((p) => pick(dir.view(p), fields)), total: matches.length };
}

/**
 * `fields` as map_principal applies it (crates/directory/src/backend/internal/manage.rs, v0.10-0.15):
 * `id` and `type` always, every other field only when asked for (all when none is), unknown names
 * ignored. `fields=name` (the fast path) therefore gives exactly id, type and name too.
 */
function pick(view: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  if (fields.length === 0) return view;
  return Object.fromEntries(
    Object.entries(view).filter(([k]) => k === "id" || k === "type" || fields.includes(k)),
  );
}

function bulkDelete(ctx: RestContext, q: URLSearchParams): Reply {
  if (q.get("confirm") !== "true") return invalidParameters("Missing confirmation parameter");
  const type = q.get("type");
  if (!type || !(TYPES as readonly string[]).includes(type)) return invalidParameters("Invalid type");
  const words = (q.get("filter") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const doomed = [...ctx.dir.principals.values()].filter(
    (p) => p.type === type && words.every((w) => p.name.includes(w)),
  );
  for (const p of doomed) {
    ctx.dir.principals.delete(p.id);
    ctx.onDestroy();
  }
  return ok(doomed.length > 0);
}

/** POST /api/oauth: the webadmin's login, which reports the version since 0.11 (README §11). */
function oauth(ctx: RestContext, body: unknown): Reply {
  const b = body as Record<string, unknown> | undefined;
  if (!b || typeof b !== "object" || b.type !== "code" || typeof b.client_id !== "string")
    return invalidParameters();
  if (!ctx.caller.authenticate) return forbidden();
  const permissions = ctx.caller.admin
    ? ["individual-list", "individual-create", "domain-create", "authenticate", "authenticate-oauth"]
    : ["authenticate"];
  const code = randomBytes(30).toString("base64url");
  // ≤0.9 answers is_admin and no version (crates/jmap/src/auth/oauth/auth.rs:91-97 at v0.9.4); 0.10
  // answers permissions, still no version (:134-140 at v0.10.7); `version` exists since 0.11.0 (:134-141).
  if (/^0\.[0-9]\./.test(ctx.version)) return ok({ code, is_admin: ctx.caller.admin, is_enterprise: false });
  const version = /^0\.10\./.test(ctx.version) ? {} : { version: ctx.version };
  return ok({ code, permissions, ...version, isEnterprise: false });
}
