// The HTTP side of Stalwart 0.16's JMAP management (jmap-0.16.md §1-§2): the session resource, the
// API endpoint `POST /jmap` with its request envelope and limits, and what is left of `/api`
// (anything but a few routes is a 404 before authentication, which is how clients tell 0.16 apart).
import type { Caller } from "../auth";
import { json, notFound as routeNotFound, problem, type Reply } from "../http";
import { AccountKind } from "./account";
import { DomainKind } from "./domain";
import { MethodError } from "./errors";
import { decodeId } from "./ids";
import type { Kind, Wire } from "./kind";
import { get, query, set, type CallContext } from "./methods";
import type { JmapStore } from "./store";

const CAPABILITIES = [
  "urn:ietf:params:jmap:core",
  "urn:ietf:params:jmap:mail",
  "urn:ietf:params:jmap:submission",
  "urn:ietf:params:jmap:vacationresponse",
  "urn:ietf:params:jmap:contacts",
  "urn:ietf:params:jmap:calendars",
  "urn:ietf:params:jmap:sieve",
  "urn:ietf:params:jmap:blob",
  "urn:ietf:params:jmap:quota",
  "urn:stalwart:jmap",
];
const CORE = {
  maxSizeUpload: 50000000,
  maxConcurrentUpload: 4,
  maxSizeRequest: 10000000,
  maxConcurrentRequests: 4,
  maxCallsInRequest: 16,
  maxObjectsInGet: 500,
  maxObjectsInSet: 500,
  collationAlgorithms: ["i;ascii-numeric", "i;ascii-casemap", "i;unicode-casemap"],
};
const KINDS: Record<string, Kind<{ id: number }>> = {
  Domain: DomainKind as unknown as Kind<{ id: number }>,
  Account: AccountKind as unknown as Kind<{ id: number }>,
};

const notRequest = (detail: string) =>
  problem(400, "Invalid request", detail, { type: "urn:ietf:params:jmap:error:notRequest" });

export function session(publicUrl: string, caller?: Caller): Reply {
  const base = {
    capabilities: {
      "urn:ietf:params:jmap:core": CORE,
      "urn:ietf:params:jmap:mail": {},
      "urn:ietf:params:jmap:submission": {},
    },
  };
  const urls = {
    apiUrl: `${publicUrl}/jmap/`,
    downloadUrl: `${publicUrl}/jmap/download/{accountId}/{blobId}/{name}?accept={type}`,
    uploadUrl: `${publicUrl}/jmap/upload/{accountId}/`,
    eventSourceUrl: `${publicUrl}/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}`,
  };
  if (!caller) return json({ ...base, accounts: {}, primaryAccounts: {}, username: "", ...urls, state: "0" });
  const id = caller.id;
  const accountCapabilities = {
    "urn:ietf:params:jmap:core": {},
    "urn:ietf:params:jmap:mail": {},
    "urn:stalwart:jmap": {},
  };
  return json({
    ...base,
    accounts: { [id]: { name: caller.name, isPersonal: true, isReadOnly: false, accountCapabilities } },
    primaryAccounts: {
      "urn:ietf:params:jmap:mail": id,
      "urn:ietf:params:jmap:submission": id,
      "urn:stalwart:jmap": id,
    },
    username: caller.name,
    ...urls,
    state: "c682b0ec",
  });
}

/** `/api/*` on 0.16: only a few routes remain, the rest is 404 before any authentication. */
export function apiRemnant(method: string, path: string): Reply {
  if (method === "GET" && path.startsWith("/api/discover/")) return json({});
  return routeNotFound();
}

export interface EnvelopeContext {
  store: JmapStore;
  caller: Caller;
  count(method: string): void;
  onDestroy(): void;
}

export function handleJmap(ctx: EnvelopeContext, contentType: string | undefined, raw: string): Reply {
  if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
    return problem(400, "Invalid request", "Content-Type must be application/json", {
      type: "urn:ietf:params:jmap:error:notJSON",
    });
  }
  if (Buffer.byteLength(raw) > CORE.maxSizeRequest)
    return problem(400, "Request limit", "Request too large", {
      type: "urn:ietf:params:jmap:error:limit",
      limit: "maxSizeRequest",
    });
  let body: { using?: unknown; methodCalls?: unknown; createdIds?: unknown };
  try {
    body = JSON.parse(raw);
  } catch (e) {
    return notRequest(`Failed to parse request: ${(e as Error).message}`);
  }
  const calls = body?.methodCalls;
  if (
    !Array.isArray(body?.using) ||
    !Array.isArray(calls) ||
    !calls.every(
      (c) =>
        Array.isArray(c) &&
        c.length === 3 &&
        typeof c[0] === "string" &&
        c[1] &&
        typeof c[1] === "object" &&
        typeof c[2] === "string",
    )
  ) {
    return notRequest("Invalid JMAP request");
  }
  const unknown = (body.using as unknown[]).find((u) => typeof u !== "string" || !CAPABILITIES.includes(u));
  if (unknown !== undefined) return notRequest(`Unknown capability: ${String(unknown)}`);
  if (calls.length > CORE.maxCallsInRequest)
    return problem(400, "Request limit", "Too many calls", {
      type: "urn:ietf:params:jmap:error:limit",
      limit: "maxCallsInRequest",
    });

  const callCtx: CallContext = {
    store: ctx.store,
    accountId: ctx.caller.id,
    created: new Map(),
    onDestroy: ctx.onDestroy,
    caller: ctx.caller,
  };
  const responses: [string, Wire, string][] = [];
  for (const [name, args, id] of calls as [string, Wire, string][]) {
    ctx.count(name);
    try {
      responses.push([name, call(ctx, callCtx, name, resolveResultRefs(args, responses)), id]);
    } catch (e) {
      if (!(e instanceof MethodError)) throw e;
      responses.push(["error", e.response(), id]);
    }
  }
  const out: Wire = { methodResponses: responses, sessionState: "c682b0ec" };
  if (body.createdIds && typeof body.createdIds === "object")
    out.createdIds = { ...(body.createdIds as Wire), ...Object.fromEntries(callCtx.created) };
  return json(out);
}

function call(ctx: EnvelopeContext, callCtx: CallContext, name: string, args: Wire): Wire {
  const m = /^x:(\w+)\/(get|set|query)$/.exec(name);
  const kind = m ? KINDS[m[1]] : undefined;
  if (!m || !kind) throw new MethodError("unknownMethod", name);
  if (
    typeof args.accountId === "string" &&
    decodeId(args.accountId) !== undefined &&
    args.accountId !== ctx.caller.id &&
    !ctx.caller.admin
  ) {
    throw new MethodError("forbidden", `You are not an owner of account ${args.accountId}`);
  }
  const op = m[2];
  // Per object and operation: sysAccountGet, sysDomainCreate, ... (crates/registry/src/schema/enums.rs).
  const need =
    op === "set"
      ? [
          ...(Object.keys((args.create ?? {}) as Wire).length > 0 ? ["Create"] : []),
          ...(Object.keys((args.update ?? {}) as Wire).length > 0 ? ["Update"] : []),
          ...((args.destroy as unknown[] | undefined)?.length ? ["Destroy"] : []),
        ]
      : [op === "get" ? "Get" : "Query"];
  if (!ctx.caller.admin && !need.every((n) => ctx.caller.permissions?.has(`sys${m[1]}${n}`))) {
    throw new MethodError(
      "forbidden",
      op === "set"
        ? "You are not authorized to create, update or destroy objects of this type"
        : "You are not authorized to perform this action",
    );
  }
  return op === "get"
    ? get(kind, callCtx, args)
    : op === "query"
      ? query(kind, callCtx, args)
      : set(kind, callCtx, args);
}

/** `#ids: {resultOf, name, path}` back-references to an earlier response of the same request. */
function resolveResultRefs(args: Wire, done: [string, Wire, string][]): Wire {
  const out: Wire = {};
  for (const [k, v] of Object.entries(args)) {
    if (!k.startsWith("#")) {
      out[k] = v;
      continue;
    }
    const ref = v as { resultOf?: string; name?: string; path?: string };
    const source = done.find(([n, , id]) => id === ref.resultOf && n === ref.name);
    const key = String(ref.path ?? "").replace(/^\//, "");
    if (!source || !(key in source[1])) throw new MethodError("invalidResultReference");
    out[k.slice(1)] = source[1][key];
  }
  return out;
}
