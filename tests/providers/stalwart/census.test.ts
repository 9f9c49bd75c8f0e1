/**
 * Concurrent reads and deletes share listings (providers/stalwart/census.ts, issue 15): the policy
 * with a fake clock, then through the provider host on both APIs, where reads from listings equal
 * own reads and a mailbox that holds mail is still refused among many deletes that go ahead.
 */
import { Census, MAX_AGE_MS } from "../../../providers/stalwart/census";
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

describe("Census", () => {
  let clock = 0;
  let answers: (() => void)[] = [];
  const make = () => {
    clock = 0;
    answers = [];
    return new Census<PrincipalRecord>(
      () => new Promise((resolve) => answers.push(() => resolve(new Map([["7", rec("7")]])))),
      (r) => r,
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

  it("lets a step read on its own rather than wait for a listing sent too long before it", async () => {
    const c = make();
    let release!: () => void;
    const hold = c.run(undefined, () => new Promise<void>((r) => (release = r)));
    const a = c.run("7", async (l) => l);
    await flush();
    clock = 5; // no listing has answered yet: one sent more than 2 ms ago is too old
    expect(await c.run("7", async (l) => l)).toBeUndefined();
    expect(c.listings).toBe(1);
    answers.shift()!();
    expect((await a)?.principalId).toBe("7");
    release();
    await hold;
  });

  it("stops listing after a listing fails: deletes read on their own", async () => {
    const c = new Census(() => Promise.reject(new Error("403")));
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

/** Runs `step` over `items` with eight in flight at a time, as the engine's --parallel on this machine. */
async function eightAtOnce<T>(items: T[], step: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await step(x);
    }),
  );
}

describe.each(["rest", "jmap"] as const)("concurrent reads and deletes on the %s API", (api) => {
  const N = 24;
  const deploy = async () => {
    const server = beds.servers[api];
    server.reset();
    const engine = beds.engine;
    const endpoint = server.url;
    await engine.up(KIND, { endpoint, type: "domain", name: "example.net" });
    const states: State[] = [];
    for (let i = 0; i < N; i++) {
      const name = `user${i}`;
      const declared = { endpoint, type: "individual", name, emails: [`${name}@example.net`] };
      states.push((await engine.up(KIND, declared)).state);
    }
    return { server, engine, states };
  };

  it("read from shared listings exactly what each reads on its own, in fewer requests", async () => {
    const { server, engine, states } = await deploy();
    server.deliver(api === "rest" ? "user3" : "user3@example.net", 2048);
    const alone: unknown[] = [];
    for (const s of states) alone.push((await engine.refresh(s))?.outputs); // one at a time: own reads
    const before = server.counters.requests;
    const together = new Map<string, unknown>();
    await eightAtOnce(states, async (s) => {
      together.set(s.id, (await engine.refresh(s))?.outputs);
    });
    expect(states.map((s) => together.get(s.id))).toEqual(alone);
    // Own reads: N requests on REST. JMAP merges concurrent gets anyway (about N / 8 requests), and a
    // listing is two (query, then get): there the listings save waiting, not requests.
    expect(server.counters.requests - before).toBeLessThan(api === "rest" ? N / 2 : N / 3);
  });

  it("share listings for their reads, and still refuse the one mailbox that holds mail", async () => {
    const { server, engine, states } = await deploy();
    server.deliver(api === "rest" ? "user5" : "user5@example.net", 4096);
    const before = server.counters.requests;
    const refused: string[] = [];
    await eightAtOnce(states, async (s) => {
      const name = s.outputs.name as string;
      await engine.destroy(s).catch((e: Error) => refused.push(`${name}: ${e.message}`));
    });
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
