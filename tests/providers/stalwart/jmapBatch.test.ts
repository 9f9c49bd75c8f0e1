import {
  JmapBatcher,
  limitsOf,
  STALWART_LIMITS,
  type JmapLimits,
  type Response,
} from "../../../providers/stalwart/jmapBatch";
import type { Call } from "../../../providers/stalwart/jmapCalls";

/** A server that answers every /set object as created or destroyed, and records each request. */
function fakeServer(failMerged = false) {
  const requests: Call[][] = [];
  let next = 0;
  const post = async (calls: Call[]): Promise<Response[]> => {
    requests.push(calls);
    return calls.map(([name, args, id]): Response => {
      if (name.endsWith("/set")) {
        const create = (args.create ?? {}) as Record<string, unknown>;
        if (failMerged && Object.keys(create).length > 1) return ["error", { type: "invalidArguments" }, id];
        const created = Object.fromEntries(Object.keys(create).map((cid) => [cid, { id: `i${next++}` }]));
        const destroy = (args.destroy ?? []) as string[];
        return [
          name,
          {
            accountId: "a",
            ...(Object.keys(created).length ? { created } : {}),
            ...(destroy.length ? { destroyed: destroy } : {}),
          },
          id,
        ];
      }
      if (name.endsWith("/get"))
        return [name, { list: (args.ids as string[]).map((i) => ({ id: i })), notFound: [] }, id];
      return [name, { ids: [] }, id];
    });
  };
  return { requests, post };
}

const limits =
  (l: Partial<JmapLimits> = {}) =>
  () => ({ ...STALWART_LIMITS, ...l });

describe("JMAP batching", () => {
  it("sends concurrent creates as one /set and gives each resource its own created id", async () => {
    const s = fakeServer();
    const b = new JmapBatcher(s.post, limits());
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => b.submit([["x:Account/set", { create: { n: { name: "x" } } }, "s"]])),
    );
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toHaveLength(1);
    const ids = answers.map(([[name, args, id]]) => {
      expect([name, id]).toEqual(["x:Account/set", "s"]);
      return (args.created as Record<string, { id: string }>).n.id;
    });
    expect(new Set(ids).size).toBe(10);
  });

  it("keeps within maxObjectsInSet, maxObjectsInGet and maxCallsInRequest", async () => {
    const s = fakeServer();
    const b = new JmapBatcher(
      s.post,
      limits({ maxObjectsInSet: 3, maxObjectsInGet: 2, maxCallsInRequest: 2 }),
    );
    await Promise.all([
      ...Array.from({ length: 7 }, (_, i) => b.submit([["x:Account/set", { destroy: [`d${i}`] }, "s"]])),
      ...Array.from({ length: 5 }, (_, i) => b.submit([["x:Domain/get", { ids: [`g${i}`] }, "g"]])),
      ...Array.from({ length: 3 }, () => b.submit([["x:Domain/query", { filter: {} }, "q"]])),
    ]);
    for (const calls of s.requests) {
      expect(calls.length).toBeLessThanOrEqual(2);
      for (const [name, args] of calls) {
        if (name.endsWith("/set")) expect((args.destroy as unknown[]).length).toBeLessThanOrEqual(3);
        if (name.endsWith("/get")) expect((args.ids as unknown[]).length).toBeLessThanOrEqual(2);
      }
    }
    expect(s.requests.flat()).toHaveLength(3 + 3 + 3);
  });

  it("never has more requests in flight than maxConcurrentRequests", async () => {
    let inFlight = 0;
    let most = 0;
    const b = new JmapBatcher(
      async (calls) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return calls.map(([n, , id]): Response => [n, { ids: [] }, id]);
      },
      limits({ maxConcurrentRequests: 2, maxCallsInRequest: 1 }),
    );
    await Promise.all(Array.from({ length: 6 }, () => b.submit([["x:Domain/query", { filter: {} }, "q"]])));
    expect(most).toBe(2);
  });

  it("resends a merged call that failed at method level one resource per call", async () => {
    const s = fakeServer(true);
    const b = new JmapBatcher(s.post, limits());
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => b.submit([["x:Account/set", { create: { n: {} } }, "s"]])),
    );
    for (const [[name, args]] of answers) {
      expect(name).toBe("x:Account/set");
      expect(args.created).toBeDefined();
    }
    expect(s.requests.length).toBeGreaterThan(1);
  });

  it("reads the limits the session advertises, Stalwart's defaults for what it leaves out", () => {
    expect(limitsOf({ capabilities: { "urn:ietf:params:jmap:core": { maxCallsInRequest: 4 } } })).toEqual({
      ...STALWART_LIMITS,
      maxCallsInRequest: 4,
    });
    expect(limitsOf(undefined)).toEqual(STALWART_LIMITS);
  });
});
