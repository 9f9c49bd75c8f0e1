// x:<Type>/get, /query and /set as Stalwart 0.16 answers them (jmap/src/registry/{get,query,set}.rs):
// get lists in the requested order and puts unknown ids in notFound; query is AND-only, newest first
// unless sorted, capped at 5000; set runs creates, then updates, then destroys, each object on its
// own (partial success is normal), and omits empty result maps. There is no state for x: objects.
import { MethodError, notFound, SetError } from "./errors";
import { decodeId, encodeId } from "./ids";
import type { Kind, Wire } from "./kind";
import { applyPatch, checkKey } from "./patch";
import type { Caller } from "../auth";
import { checkGrant } from "./account";
import type { JmapStore } from "./store";

export interface CallContext {
  store: JmapStore;
  accountId: string;
  /** Creation ids of this request, for `#cid` references. */
  created: Map<string, string>;
  onDestroy(): void;
  /** Who calls: a non-admin may only grant what it holds itself. */
  caller?: Caller;
}

const MAX_GET = 500;
const MAX_SET = 500;
const MAX_QUERY = 5000;

export function get<R extends { id: number }>(kind: Kind<R>, ctx: CallContext, args: Wire): Wire {
  const map = kind.records(ctx.store);
  const ids = args.ids === null || args.ids === undefined ? null : (args.ids as unknown[]);
  if (ids && ids.length > MAX_GET) throw new MethodError("requestTooLarge");
  const props = Array.isArray(args.properties) ? (args.properties as string[]) : undefined;
  const wanted = ids ?? [...map.keys()].slice(0, MAX_GET).map(encodeId);
  const list: Wire[] = [];
  const missing: unknown[] = [];
  for (const raw of wanted) {
    const r = map.get(decodeId(raw) ?? -1);
    if (!r) {
      missing.push(raw);
      continue;
    }
    const view = kind.view(ctx.store, r, !props);
    list.push(
      props
        ? Object.fromEntries(Object.entries(view).filter(([k]) => k === "id" || props.includes(k)))
        : view,
    );
  }
  return { accountId: ctx.accountId, list, notFound: missing };
}

export function query<R extends { id: number }>(kind: Kind<R>, ctx: CallContext, args: Wire): Wire {
  const filter = (args.filter ?? {}) as Wire;
  if ("operator" in filter || "conditions" in filter)
    throw new MethodError("unsupportedFilter", "Only AND is supported in filters");
  let items = [...kind.records(ctx.store).values()];
  for (const [key, value] of Object.entries(filter)) {
    const supported =
      items.length > 0 ? kind.matches(ctx.store, items[0], key, value) !== undefined : known(kind, key);
    if (!supported) {
      throw new MethodError("unsupportedFilter", `Filter on property ${key} is not supported or invalid`);
    }
    items = items.filter((r) => kind.matches(ctx.store, r, key, value));
  }
  const sort = Array.isArray(args.sort) ? (args.sort as Wire[]) : [];
  const cmp = (a: R, b: R) => {
    for (const s of sort) {
      const p = String(s.property);
      if (p !== "name" && p !== "id")
        throw new MethodError("unsupportedSort", `Sorting on property ${p} is not supported`);
      const x = p === "id" ? a.id : String((a as unknown as Wire).name);
      const y = p === "id" ? b.id : String((b as unknown as Wire).name);
      if (x !== y) return (x < y ? -1 : 1) * (s.isAscending === false ? -1 : 1);
    }
    return sort.length > 0 ? 0 : b.id - a.id;
  };
  items.sort(cmp);
  const position = Number.isInteger(args.position) ? Math.max(0, args.position as number) : 0;
  const limit = Number.isInteger(args.limit) ? Math.min(args.limit as number, MAX_QUERY) : MAX_QUERY;
  const ids = items.slice(position, position + limit).map((r) => encodeId(r.id));
  const out: Wire = { accountId: ctx.accountId, queryState: "n", canCalculateChanges: true, position, ids };
  if (args.calculateTotal === true) out.total = items.length;
  if (items.length - position > limit) out.limit = limit;
  return out;
}

function known<R extends { id: number }>(kind: Kind<R>, key: string): boolean {
  return kind.name === "Domain"
    ? ["name", "aliases", "text", "memberTenantId"].includes(key)
    : ["name", "domainId", "@type", "memberGroupIds", "text", "memberTenantId"].includes(key);
}

/** `#cid` creation references, at any depth (nested ones resolve since 0.16.4). */
function resolveRefs(value: unknown, created: Map<string, string>): unknown {
  if (typeof value === "string" && value.startsWith("#") && created.has(value.slice(1)))
    return created.get(value.slice(1));
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, created));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, created)]));
  return value;
}

export function set<R extends { id: number }>(kind: Kind<R>, ctx: CallContext, args: Wire): Wire {
  const map = kind.records(ctx.store);
  const create = (args.create ?? {}) as Record<string, Wire>;
  const update = (args.update ?? {}) as Record<string, Wire>;
  const destroy = (args.destroy ?? []) as unknown[];
  if (Object.keys(create).length + Object.keys(update).length + destroy.length > MAX_SET)
    throw new MethodError("requestTooLarge");
  const out: Record<string, Record<string, unknown> | unknown[]> = {
    created: {},
    updated: {},
    destroyed: [],
    notCreated: {},
    notUpdated: {},
    notDestroyed: {},
  };
  const fail = (bucket: string, key: string, e: unknown) => {
    if (!(e instanceof SetError)) throw e;
    (out[bucket] as Wire)[key] = e.body;
  };
  for (const [cid, obj] of Object.entries(create)) {
    try {
      for (const k of Object.keys(obj ?? {})) checkKey(kind.shape, k);
      const wire = { ...kind.defaults(), ...(resolveRefs(obj, ctx.created) as Wire) };
      const r = kind.build(ctx.store, wire, ctx.store.peekId(kind.name));
      if (kind.name === "Account") checkGrant(ctx.caller, wire);
      const id = ctx.store.newId(kind.name);
      map.set(id, r);
      ctx.created.set(cid, encodeId(id));
      (out.created as Wire)[cid] = { id: encodeId(id) };
    } catch (e) {
      fail("notCreated", cid, e);
    }
  }
  for (const [key, patch] of Object.entries(update)) {
    if (destroy.includes(key)) {
      fail("notUpdated", key, new SetError({ type: "willDestroy" }));
      continue;
    }
    try {
      const current = map.get(decodeId(key) ?? -1);
      if (!current) throw notFound();
      const resolved = resolveRefs(patch, ctx.created) as Wire;
      const sameType =
        resolved["@type"] === undefined || resolved["@type"] === kind.wire(ctx.store, current)["@type"];
      const { "@type": _ignored, ...rest } = resolved;
      const next = applyPatch(kind.shape, kind.wire(ctx.store, current), sameType ? rest : resolved);
      map.set(current.id, kind.build(ctx.store, next, current.id, current));
      (out.updated as Wire)[key] = null;
    } catch (e) {
      fail("notUpdated", key, e);
    }
  }
  for (const raw of destroy) {
    const key = String(raw);
    try {
      const current = map.get(decodeId(key) ?? -1);
      if (!current) throw notFound();
      kind.checkDestroy(ctx.store, current);
      map.delete(current.id);
      ctx.onDestroy();
      (out.destroyed as unknown[]).push(key);
    } catch (e) {
      fail("notDestroyed", key, e);
    }
  }
  const result: Wire = { accountId: ctx.accountId };
  for (const [k, v] of Object.entries(out))
    if (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0) result[k] = v;
  return result;
}
