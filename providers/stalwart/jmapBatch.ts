/**
 * Batching of concurrent JMAP calls (issue 15): what the resources of one provider process ask at
 * about the same time goes out as one `POST /jmap`, as RFC 8620 §3.3 allows (many method calls per
 * request), and single `/set` and `/get` calls of one type are merged into one call with many objects
 * (§5.1 `ids`, §5.3 `create`/`update`/`destroy`). Within the server's advertised limits (session
 * `urn:ietf:params:jmap:core`, RFC 8620 §2: maxCallsInRequest, maxObjectsInGet, maxObjectsInSet,
 * maxConcurrentRequests, maxSizeRequest; Stalwart's defaults in jmap-0.16.md §7).
 *
 * Isolation: a /set processes every object on its own (partial success, jmap-0.16.md §7), so one
 * resource's SetError never reaches another's. A method-level error changes nothing (RFC 8620
 * §3.6.2), so a merged call that fails that way is sent again, one resource per call, and each
 * resource gets its own answer.
 */
import type { Args, Call } from "./jmapCalls";

export interface JmapLimits {
  readonly maxCallsInRequest: number;
  readonly maxObjectsInGet: number;
  readonly maxObjectsInSet: number;
  readonly maxConcurrentRequests: number;
  readonly maxSizeRequest: number;
}

/** Stalwart 0.16's defaults (x:Jmap singleton, jmap-0.16.md §7), used for what a session leaves out. */
export const STALWART_LIMITS: JmapLimits = {
  maxCallsInRequest: 16,
  maxObjectsInGet: 500,
  maxObjectsInSet: 500,
  maxConcurrentRequests: 4,
  maxSizeRequest: 10_000_000,
};

/** The limits a session advertises, each falling back to Stalwart's default when absent or invalid. */
export function limitsOf(session: unknown): JmapLimits {
  const core = (session as { capabilities?: Record<string, Record<string, unknown>> } | undefined)
    ?.capabilities?.["urn:ietf:params:jmap:core"];
  const pick = (k: keyof JmapLimits) => {
    const v = core?.[k];
    return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : STALWART_LIMITS[k];
  };
  return {
    maxCallsInRequest: pick("maxCallsInRequest"),
    maxObjectsInGet: pick("maxObjectsInGet"),
    maxObjectsInSet: pick("maxObjectsInSet"),
    maxConcurrentRequests: pick("maxConcurrentRequests"),
    maxSizeRequest: pick("maxSizeRequest"),
  };
}

export type Response = [name: string, args: Args, id: string];
/** Sends one request's calls; answers its methodResponses, or throws for the whole request. */
export type Post = (calls: Call[], secrets: string[]) => Promise<Response[]>;

interface Part {
  readonly calls: Call[];
  readonly secrets: string[];
  /** Sent in a call of its own (after a merged call failed at method level). */
  readonly alone: boolean;
  resolve(r: Response[]): void;
  reject(e: unknown): void;
}

/** One call of the request being built, and the parts whose objects it carries. */
interface Slot {
  call: Call;
  parts: { part: Part; k: number; call: Call }[];
}

const SET_KEYS = ["create", "update", "destroy"];

function mergeable(p: Part): "set" | "get" | undefined {
  if (p.alone || p.calls.length !== 1) return undefined;
  const [name, args] = p.calls[0];
  if (JSON.stringify(args).includes('"#')) return undefined;
  const keys = Object.keys(args);
  if (name.endsWith("/set") && keys.every((k) => SET_KEYS.includes(k))) return "set";
  if (
    name.endsWith("/get") &&
    Array.isArray(args.ids) &&
    keys.every((k) => k === "ids" || k === "properties")
  )
    return "get";
  return undefined;
}

const objectCount = (args: Args) =>
  Object.keys((args.create ?? {}) as object).length +
  Object.keys((args.update ?? {}) as object).length +
  ((args.destroy ?? []) as unknown[]).length;
const setIds = (args: Args) => [
  ...Object.keys((args.update ?? {}) as object),
  ...((args.destroy ?? []) as unknown[]).map(String),
];

export class JmapBatcher {
  private queue: Part[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Requests sent, and method calls in them (for tests and the benchmark). */
  readonly counters = { requests: 0, calls: 0, parts: 0 };

  /**
   * `lingerMs`: how long the first call waits for company. 0 (the default) waits only for the end of
   * the current turn of the event loop: the engine's concurrent steps reach the host together and are
   * read in one turn, so they still share one request (1000 accounts: 128 requests either way), and no
   * round trip pays a timer (a 2 ms linger made a refresh of 1000 accounts 0.2-0.4 s slower).
   */
  constructor(
    private readonly post: Post,
    private readonly limits: () => JmapLimits,
    private readonly lingerMs = 0,
  ) {}

  /** Sends `calls` (ids unique among themselves) with whatever else is waiting; answers their responses. */
  submit(calls: Call[], secrets: string[] = [], alone = false): Promise<Response[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ calls, secrets, alone, resolve, reject });
      this.counters.parts++;
      this.timer ??= this.wait(() => {
        this.timer = undefined;
        this.flush();
      });
    });
  }

  private wait(then: () => void): NodeJS.Timeout | NodeJS.Immediate {
    return this.lingerMs > 0 ? setTimeout(then, this.lingerMs) : setImmediate(then);
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.limits().maxConcurrentRequests) {
      const slots = this.take();
      this.inFlight++;
      void this.send(slots).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  /** As many waiting parts as one request holds, merged where they can be. */
  private take(): Slot[] {
    const lim = this.limits();
    const slots: Slot[] = [];
    const merged = new Map<string, Slot>();
    let size = 100;
    const rest: Part[] = [];
    for (const [k, part] of this.queue.entries()) {
      const calls = part.calls.map((c) => renamed(c, k));
      const bytes = JSON.stringify(calls).length;
      const kind = mergeable(part);
      const full = size + bytes > lim.maxSizeRequest && slots.length > 0;
      if (kind && !full) {
        const [name, args] = calls[0];
        const slot = merged.get(name);
        if (slot && fits(kind, slot, args, lim)) {
          slot.call[1] = combine(kind, slot.call[1], args);
          slot.parts.push({ part, k, call: calls[0] });
          size += bytes;
          continue;
        }
      }
      if (full || slots.length + calls.length > lim.maxCallsInRequest) {
        rest.push(part);
        continue;
      }
      if (kind) {
        const slot: Slot = {
          call: [calls[0][0], { ...calls[0][1] }, `m${k}`],
          parts: [{ part, k, call: calls[0] }],
        };
        merged.set(calls[0][0], slot);
        slots.push(slot);
      } else {
        for (const call of calls) slots.push({ call, parts: [{ part, k, call }] });
      }
      size += bytes;
    }
    this.queue = rest;
    return slots;
  }

  private async send(slots: Slot[]): Promise<void> {
    const parts = new Map<Part, { k: number; out: Response[] }>();
    for (const s of slots) for (const p of s.parts) parts.set(p.part, { k: p.k, out: [] });
    this.counters.requests++;
    this.counters.calls += slots.length;
    let responses: Response[];
    try {
      responses = await this.post(
        slots.map((s) => s.call),
        [...new Set(slots.flatMap((s) => s.parts.flatMap((p) => p.part.secrets)))],
      );
    } catch (e) {
      for (const part of parts.keys()) part.reject(e);
      return;
    }
    const redo = new Set<Part>();
    for (const s of slots) {
      const got = responses.filter((r) => r[2] === s.call[2]);
      if (got.length === 0) continue;
      const merged = s.parts.length > 1 || s.call[2].startsWith("m");
      for (const { part, k, call } of s.parts) {
        const mine = parts.get(part)!;
        const original = part.calls[0][2];
        if (!merged) {
          for (const [n, a] of got) mine.out.push([n, restoreCids(a, k), call[2].slice(`b${k}-`.length)]);
        } else if (got[0][0] === "error" && s.parts.length > 1) {
          redo.add(part);
        } else {
          mine.out.push([
            got[0][0],
            got[0][0] === "error" ? got[0][1] : split(got[0][1], call[1], k),
            original,
          ]);
        }
      }
    }
    for (const [part, { out }] of parts) {
      if (redo.has(part)) {
        this.submit(part.calls, part.secrets, true).then(part.resolve, part.reject);
      } else part.resolve(out);
    }
  }
}

/** A part's call with its call id and creation ids made unique in the request (`b<k>-`). */
function renamed([name, args, id]: Call, k: number): Call {
  const prefix = `b${k}-`;
  const cids = Object.keys((args.create ?? {}) as object);
  const fix = (v: unknown): unknown => {
    if (typeof v === "string" && v.startsWith("#") && cids.includes(v.slice(1)))
      return `#${prefix}${v.slice(1)}`;
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([x, y]) => [x, fix(y)]));
    return v;
  };
  const out: Args = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === "create")
      out.create = Object.fromEntries(
        Object.entries(value as Args).map(([cid, obj]) => [prefix + cid, fix(obj)]),
      );
    else if (key.startsWith("#") && value && typeof value === "object")
      out[key] = { ...(value as Args), resultOf: prefix + String((value as Args).resultOf) };
    else out[key] = fix(value);
  }
  return [name, out, prefix + id];
}

function fits(kind: "set" | "get", slot: Slot, args: Args, lim: JmapLimits): boolean {
  const have = slot.call[1];
  if (kind === "get")
    return (have.ids as unknown[]).length + (args.ids as unknown[]).length <= lim.maxObjectsInGet;
  if (objectCount(have) + objectCount(args) > lim.maxObjectsInSet) return false;
  // One id updated or destroyed by two resources at once stays in separate calls.
  const taken = new Set(setIds(have));
  return !setIds(args).some((id) => taken.has(id));
}

function combine(kind: "set" | "get", a: Args, b: Args): Args {
  if (kind === "get") {
    const props =
      Array.isArray(a.properties) && Array.isArray(b.properties)
        ? [...new Set([...(a.properties as string[]), ...(b.properties as string[])])]
        : undefined;
    return {
      ids: [...(a.ids as unknown[]), ...(b.ids as unknown[])],
      ...(props ? { properties: props } : {}),
    };
  }
  const out: Args = {};
  if (a.create || b.create) out.create = { ...(a.create as Args), ...(b.create as Args) };
  if (a.update || b.update) out.update = { ...(a.update as Args), ...(b.update as Args) };
  if (a.destroy || b.destroy)
    out.destroy = [...((a.destroy ?? []) as unknown[]), ...((b.destroy ?? []) as unknown[])];
  return out;
}

/** One part's share of a merged answer, in its own creation ids; empty maps left out as Stalwart does. */
function split(answer: Args, asked: Args, k: number): Args {
  const prefix = `b${k}-`;
  const out: Args = {};
  const keep = (key: string, pick: (id: string) => string | undefined) => {
    const m = answer[key] as Record<string, unknown> | undefined;
    if (!m) return;
    const mine: Args = {};
    for (const [id, v] of Object.entries(m)) {
      const own = pick(id);
      if (own !== undefined) mine[own] = v;
    }
    if (Object.keys(mine).length > 0) out[key] = mine;
  };
  for (const [key, v] of Object.entries(answer))
    if (
      ![
        "created",
        "notCreated",
        "updated",
        "notUpdated",
        "destroyed",
        "notDestroyed",
        "list",
        "notFound",
      ].includes(key)
    )
      out[key] = v;
  const cid = (id: string) => (id.startsWith(prefix) ? id.slice(prefix.length) : undefined);
  const ids = new Set([...setIds(asked), ...((asked.ids ?? []) as unknown[]).map(String)]);
  const mineId = (id: string) => (ids.has(id) ? id : undefined);
  keep("created", cid);
  keep("notCreated", cid);
  keep("updated", mineId);
  keep("notUpdated", mineId);
  keep("notDestroyed", mineId);
  const destroyed = ((answer.destroyed ?? []) as unknown[]).filter((id) => ids.has(String(id)));
  if (destroyed.length > 0) out.destroyed = destroyed;
  if (Array.isArray(answer.list)) out.list = (answer.list as Args[]).filter((o) => ids.has(String(o.id)));
  if (Array.isArray(answer.notFound))
    out.notFound = (answer.notFound as unknown[]).filter((id) => ids.has(String(id)));
  return out;
}

/** A lone part's answer with its creation ids as it sent them. */
function restoreCids(answer: Args, k: number): Args {
  const prefix = `b${k}-`;
  const out: Args = { ...answer };
  for (const key of ["created", "notCreated"])
    if (answer[key] && typeof answer[key] === "object")
      out[key] = Object.fromEntries(
        Object.entries(answer[key] as Args).map(([id, v]) => [
          id.startsWith(prefix) ? id.slice(prefix.length) : id,
          v,
        ]),
      );
  return out;
}
