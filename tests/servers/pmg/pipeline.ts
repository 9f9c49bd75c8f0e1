// One request through the stand-in, in the order the real server works:
//   pve-http-server (AnyEvent.pm): method and transfer-encoding checks → authentication (ticket,
//   CSRF; 401 delayed) → Content-Length/Content-Type checks → body → extract_params;
//   PMG::HTTPServer::rest_handler: find_handler (501) → duplicate URI parameter (400) →
//   permissions (403) → RESTHandler::handle: schema validation (400) → handler (200 / 500 ...).
import type { IncomingMessage } from "node:http";
import { authenticate, requiresAuth, unescapeBytes, type Authority } from "./auth";
import { ConfigLock, PmgError, paramError, permError } from "./errors";
import { bump, type Counters } from "./faults";
import { extractParams } from "./params";
import { formRoundTrip, jsonErrorsHaveMessage, reencodesJson } from "./proxy";
import { emptyReply, jsonError, jsonOk, plainError, type Reply } from "./reply";
import { findRoute, type HttpMethod, type Route } from "./router";
import type { Permissions } from "./api-schema";
import { checkParams, normalizeLegacyLists, untaint, type ParamValue } from "./schema-check";
import type { Store } from "./state";

export interface PipelineEnv {
  routes: Route[];
  store: Store;
  lock: ConfigLock;
  authority: Authority;
  counters: Counters;
  authFailureDelayMs: number;
  /** libpve-http-server-perl's version (proxy.ts): how protected calls and JSON errors behave. */
  httpServer: string;
}

const KNOWN_METHODS = new Set(["GET", "POST", "PUT", "DELETE"]);
const MAX_POST = 512 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `$split_abs_uri` with base_uri '/api2'. */
export function splitAbsUri(path: string): { relUri: string; format?: string } {
  const m = /^\/api2\/+([a-z][a-z0-9]+)(\/[^\n]*)?(?=\n?$)/.exec(path);
  return m ? { relUri: m[2] || "/", format: m[1] } : { relUri: "/" };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function checkPermissions(
  perm: Permissions | undefined,
  userid: string | undefined,
  role: string | undefined,
): void {
  if (!userid && perm?.user === "world") return;
  if (!userid) throw new PmgError(403, "Permission check failed (user == null)\n");
  if (userid === "root@pam") return;
  if (!perm) throw new PmgError(403, "Permission check failed (user != root@pam)\n");
  if (perm.user === "all") return;
  const allowed = perm.check ?? [];
  if (role === "helpdesk" && (allowed.includes("audit") || allowed.includes("qmanager"))) return;
  if (role && allowed.includes(role)) return;
  throw permError();
}

async function restHandler(
  env: PipelineEnv,
  method: string,
  relUri: string,
  params: Map<string, ParamValue>,
  userid?: string,
  role?: string,
  jsonBody = false,
): Promise<Reply> {
  const { store } = env;
  const version = jsonErrorsHaveMessage(env.httpServer);
  const match = findRoute(env.routes, relUri);
  const handler = match?.route.methods[method as HttpMethod];
  const info = match ? store.schema.get(`${method} ${match.route.path}`) : undefined;
  if (!match || !handler || !info)
    return jsonError(version, 501, `Method '${method} ${relUri}' not implemented`);
  bump(env.counters.requestsByRoute, `${method} ${match.route.path}`);
  try {
    const all = new Map<string, ParamValue>(match.uriParams);
    for (const [k, v] of params) {
      if (match.uriParams.has(k)) throw paramError({ [k]: "duplicate parameter (already defined in URI)" });
      all.set(k, v);
    }
    checkPermissions(info.permissions, userid, role);
    // A protected call runs in pmgdaemon, reached through proxy_request (proxy.ts).
    if (info.protected && jsonBody && reencodesJson(env.httpServer)) {
      const uri = new Map([...all].filter(([k]) => match.uriParams.has(k)));
      const body = formRoundTrip(new Map([...all].filter(([k]) => !match.uriParams.has(k))));
      all.clear();
      for (const [k, v] of [...uri, ...body]) all.set(k, v);
    }
    const schema = info.parameters ?? {};
    if (store.version >= 8) normalizeLegacyLists(all, schema);
    const errors = checkParams(all, schema, { jsonBooleans: store.version >= 8 });
    if (errors) throw paramError(errors);
    const ctx = {
      params: untaint(all),
      store,
      lock: env.lock,
      version: store.version,
      authority: env.authority,
      counters: env.counters,
      userid,
    };
    return jsonOk(await handler(ctx));
  } catch (e) {
    if (e instanceof PmgError) {
      if (e.status === 401) {
        env.counters.authFailures++;
        await sleep(env.authFailureDelayMs);
      }
      return jsonError(version, e.status, e.message, e.errors);
    }
    return jsonError(version, 500, `${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/** Everything after the fault switches: produces the reply for one request. */
export async function handleRequest(
  env: PipelineEnv,
  req: IncomingMessage,
  rawPath: string,
  query: string,
): Promise<Reply> {
  const method = req.method ?? "GET";
  if (!KNOWN_METHODS.has(method)) return emptyReply(501, `method '${method}' not available`);
  const te = req.headers["transfer-encoding"];
  if (te && te.toLowerCase() === "chunked") return plainError(501, "chunked transfer encoding not supported");
  if (te) return plainError(501, `Unknown transfer encoding '${te}'`);

  const path = unescapeBytes(rawPath);
  const isApi = path.startsWith("/api2");
  const { relUri, format } = splitAbsUri(path);
  let auth: { userid: string; role: string } | undefined;
  if (isApi) {
    if (!format) return plainError(501, "no such uri");
    if (requiresAuth(method, relUri)) {
      try {
        const h = req.headers;
        auth = authenticate(env.authority, method, {
          cookie: h.cookie,
          authorization: h.authorization,
          csrf: h.csrfpreventiontoken as string | undefined,
        });
      } catch (e) {
        env.counters.authFailures++;
        await sleep(env.authFailureDelayMs);
        return emptyReply(401, (e as Error).message);
      }
    }
  }

  let body: Buffer = Buffer.alloc(0);
  const len = req.headers["content-length"];
  if (len && len !== "0") {
    if (method !== "PUT" && method !== "POST")
      return plainError(501, `Unexpected content for method '${method}'`);
    if (Number(len) > MAX_POST) return plainError(501, "for data too large");
    const ctype = req.headers["content-type"];
    const ct = ctype?.split(/\s*[;,]\s*/)[0];
    if (ct && ct !== "application/x-www-form-urlencoded" && ct !== "application/json") {
      return plainError(506, `upload 'Content-Type '${ctype}' not implemented`);
    }
    body = await readBody(req);
  }

  if (!isApi) return plainError(500, `no such file '${path}'`);
  if (format !== "json") return plainError(501, `no formatter for uri ${relUri}, ${format}`);
  let params: Map<string, ParamValue>;
  try {
    params = extractParams(method, req.headers["content-type"], body, query);
  } catch (e) {
    return plainError(500, (e as Error).message);
  }
  const json = /^application\/json\b/.test(req.headers["content-type"] ?? "") && body.length > 0;
  return restHandler(env, method, relUri, params, auth?.userid, auth?.role, json);
}
