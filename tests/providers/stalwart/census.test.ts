/**
 * Concurrent deletes share one listing for the delete guard (providers/stalwart/census.ts, issue 15):
 * the policy with a fake clock, then through the provider host on both APIs, where a mailbox that
 * holds mail is still refused among many deletes that go ahead.
 */
import { DeleteCensus, MAX_AGE_MS } from "../../../providers/stalwart/census";
import type { PrincipalRecord } from "../../../providers/stalwart/model";
import type { State } from "../engine";
import { startStalwartBeds, KIND, type StalwartBeds } from "./bed";

const rec = (principalId: string): PrincipalRecord => ({
  type: "individual",
  name: "",
  emails: [],
  description: "",
  roles: [],
  quota: 0,
  memberOf: [],
  principalId,
  usedQuota: 0,
  dependents: 0,
});

describe("DeleteCensus", () => {
  let clock = 0;
  let answers: (() => void)[] = [];
  const make = () => {
    clock = 0;
    answers = [];
    return new DeleteCensus(
      () => new Promise((resolve) => answers.push(() => resolve(new Map([["7", rec("7")]])))),
      () => clock,
    );
  };
  const flush = () => new Promise((r) => setImmediate(r));

  it("never lists for a lone delete", async () => {
    const c = make();
    const seen = await c.run("7", async (listed) => listed);
    expect([seen, c.listings]).toEqual([undefined, 0]);
  });

  it("answers deletes that start together from one listing, and keeps one in flight while they keep coming", async () => {
    const c = make();
    let release!: () => void;
    const first = c.run("7", () => new Promise<void>((r) => (release = r)));
    const [a, b] = [c.run("7", async (l) => l), c.run("8", async (l) => l)];
    await flush();
    expect(c.listings).toBe(1);
    clock = 10; // the listing took 10 ms: one sent up to 20 ms before a delete may stand in for its read
    answers.shift()!();
    expect([(await a)?.principalId, await b]).toEqual(["7", undefined]);
    const later = c.run("7", async (l) => l); // 10 ms after the listing was sent: recent, and a new one goes out
    expect((await later)?.principalId).toBe("7");
    expect(c.listings).toBe(2);
    release();
    await first;
  });

  it("does not use a listing older than twice its own round trip, nor one older than MAX_AGE_MS", async () => {
    const c = make();
    let release!: () => void;
    const hold = c.run(undefined, () => new Promise<void>((r) => (release = r)));
    const a = c.run("7", async (l) => l);
    await flush();
    clock = 100;
    answers.shift()!();
    await a;
    clock = 100 + 201; // sent at 0, took 100: usable until 200
    const stale = c.run("7", async (l) => l);
    await flush();
    expect(c.listings).toBe(2); // it waits for a new one instead
    answers.shift()!();
    expect((await stale)?.principalId).toBe("7");
    expect(2 * 300).toBeGreaterThan(MAX_AGE_MS); // a 300 ms listing still allows only MAX_AGE_MS
    release();
    await hold;
  });

  it("stops listing after a listing fails: deletes read on their own", async () => {
    const c = new DeleteCensus(() => Promise.reject(new Error("403")));
    let release!: () => void;
    const hold = c.run(undefined, () => new Promise<void>((r) => (release = r)));
    expect(await c.run("7", async (l) => l)).toBeUndefined();
    expect(await c.run("7", async (l) => l)).toBeUndefined();
    expect(c.listings).toBe(1);
    release();
    await hold;
  });
});

let beds: StalwartBeds;
beforeAll(async () => {
  beds = await startStalwartBeds();
});
afterAll(() => beds.close());

describe.each(["rest", "jmap"] as const)("concurrent deletes on the %s API", (api) => {
  const N = 24;
  it("share listings for their reads, and still refuse the one mailbox that holds mail", async () => {
    const server = beds.servers[api];
    server.reset();
    const engine = beds.engine;
    const endpoint = server.url;
    await engine.up(KIND, { endpoint, type: "domain", name: "example.net" });
    const states: State[] = [];
    for (let i = 0; i < N; i++) {
      const name = `user${i}`;
      states.push(
        (await engine.up(KIND, { endpoint, type: "individual", name, emails: [`${name}@example.net`] }))
          .state,
      );
    }
    server.deliver(api === "rest" ? "user5" : "user5@example.net", 4096);
    const before = server.counters.requests;
    // Eight in flight at a time, as the engine's --parallel on this machine.
    const queue = [...states];
    const refused: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let s = queue.shift(); s; s = queue.shift()) {
          const name = s.outputs.name as string;
          await engine.destroy(s).catch((e: Error) => refused.push(`${name}: ${e.message}`));
        }
      }),
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^user5: .*4096 bytes of mail/);
    const held =
      api === "rest" ? server.rest.principals.size : server.jmap.domains.size + server.jmap.accounts.size;
    expect(held).toBe(2); // the domain and user5
    // One read per delete would be 2N - 1 requests (user5's delete never sent); shared listings make fewer.
    const used = server.counters.requests - before;
    // (JMAP also merges concurrent destroys into one request: fewer than one request per object.)
    if (api === "rest") expect([used >= N - 1, used < 2 * N - 1]).toEqual([true, true]);
    else expect(used).toBeLessThan(N);
  });
});
