import { startPmgServer } from "../servers/pmg/server";
import type { State } from "../providers/engine";
import { startPmgBed, type PmgBed } from "../providers/pmg/bed";
import { FaultTable } from "./table";

const NET = "pmg:PmgTrustedNetwork";
const SMARTHOST = "pmg:PmgSmarthost";

describe("PMG under faults", () => {
  let bed: PmgBed;
  const table = new FaultTable("pmg");
  beforeAll(async () => {
    bed = await startPmgBed();
    // The host compiles the providers on its first call (about 2 s): keep that out of the timings.
    await bed.engine.check(NET, { endpoint: bed.endpoint, cidr: "192.0.2.0/24" });
  });
  afterAll(async () => {
    await bed.close();
    table.write();
  });
  beforeEach(() => bed.pmg.reset());

  /** Runs `op`; on failure records the message and runs `up` once more, as a person would. */
  async function attempt(
    fault: string,
    operation: string,
    op: () => Promise<State | undefined>,
  ): Promise<State | undefined> {
    const started = Date.now();
    let before = bed.pmg.counters.requests;
    let requests = 0;
    let outcome = "converged";
    let state: State | undefined;
    try {
      state = await op();
    } catch (e) {
      outcome = `failed: ${(e as Error).message.slice(0, 110)}`;
      requests = bed.pmg.counters.requests - before;
      // The fault is over; the server keeps what the failed run left (a lost POST's entry included).
      bed.pmg.clearFaults();
      before = bed.pmg.counters.requests;
      state = await op();
      outcome += "; converged on the next up";
    }
    requests += bed.pmg.counters.requests - before;
    table.add({ fault, operation, outcome, requests, ms: Date.now() - started });
    return state;
  }

  const upNet =
    (comment = "lan") =>
    async () =>
      (await bed.engine.up(NET, { endpoint: bed.endpoint, cidr: "192.0.2.0/24", comment })).state;
  const agrees = (state: State | undefined) => {
    const entry = bed.pmg.state.mynetworks.get("192.0.2.0/24");
    expect(entry ? { cidr: "192.0.2.0/24", comment: entry.comment } : undefined).toEqual(
      state ? { cidr: state.outputs.cidr, comment: state.outputs.comment } : undefined,
    );
  };

  it("200 ms of latency on every answer: converges", async () => {
    bed.pmg.latencyMs = 200;
    agrees(await attempt("200 ms latency", "create trusted network", upNet()));
  });

  it("a burst of 503s shorter than the retry budget: converges without a failure", async () => {
    await bed.engine
      .up(SMARTHOST, { endpoint: bed.endpoint, host: "smtp.gmail.com", port: 587 })
      .then((r) => bed.engine.destroy(r.state));
    bed.pmg.failNext(2, 503);
    agrees(await attempt("2 × 503", "create trusted network", upNet()));
  });

  it("a burst of 502s longer than the retry budget: fails clearly, creates nothing, converges next time", async () => {
    await bed.engine.up(SMARTHOST, { endpoint: bed.endpoint, host: "smtp.gmail.com", port: 587 });
    bed.pmg.failNext(6, 502);
    agrees(await attempt("6 × 502", "create trusted network", upNet()));
  });

  it("429 answers: backs off and converges", async () => {
    await bed.engine.up(SMARTHOST, { endpoint: bed.endpoint, host: "smtp.gmail.com", port: 587 });
    bed.pmg.failNext(2, 429);
    agrees(await attempt("2 × 429", "create trusted network", upNet()));
  });

  it("a connection dropped before the answer: retried, converges", async () => {
    await bed.engine.up(SMARTHOST, { endpoint: bed.endpoint, host: "smtp.gmail.com", port: 587 });
    bed.pmg.dropNext(1);
    agrees(await attempt("connection dropped mid-request", "create trusted network", upNet()));
  });

  it("a POST that succeeded but whose answer was lost: the entry is found and adopted in that run", async () => {
    await bed.engine.up(SMARTHOST, { endpoint: bed.endpoint, host: "smtp.gmail.com", port: 587 });
    bed.pmg.dropAfterHandlingNext(1, "POST");
    let failedOnce = false;
    const state = await attempt("answer to a successful POST lost", "create trusted network", async () => {
      if (!failedOnce) {
        failedOnce = true;
        const r = await upNet()().catch((e) => {
          // The engine records no state for a failed create, yet the server has the entry.
          expect(bed.pmg.state.mynetworks.has("192.0.2.0/24")).toBe(true);
          throw e;
        });
        return r;
      }
      return upNet()();
    });
    agrees(state);
    expect(bed.pmg.state.mynetworks.size).toBe(1);
  });

  it("expired tickets between two operations: logs in again, converges", async () => {
    const first = await upNet("lan")();
    bed.pmg.expireTickets();
    const state = await attempt(
      "tickets expired",
      "update trusted network",
      async () =>
        (await bed.engine.up(NET, { endpoint: bed.endpoint, cidr: "192.0.2.0/24", comment: "vlan" }, first))
          .state,
    );
    agrees(state);
  });

  // Last: it stops the bed's server for good.
  it("the server dies between create and refresh, and comes back empty: refresh fails clearly, then drops the object", async () => {
    const state = await upNet()();
    const { port, password } = bed.pmg;
    await bed.pmg.close();
    const started = Date.now();
    const err = await bed.engine.refresh(state).catch((e: Error) => e);
    expect(String(err)).toMatch(/pmg: GET \/config\/mynetworks\/192\.0\.2\.0\/24 failed \(no answer\)/);
    const back = await startPmgServer({ port, password, authFailureDelayMs: 20 });
    try {
      const fingerprintBefore = bed.pmg.fingerprint;
      expect(back.fingerprint).toBe(fingerprintBefore);
      const after = await bed.engine.refresh(state);
      expect(after).toBeUndefined();
      expect(back.state.mynetworks.size).toBe(0);
      table.add({
        fault: "server died between create and refresh, came back empty",
        operation: "refresh trusted network",
        outcome: `failed: ${String((err as Error).message).slice(0, 80)}; next refresh dropped it from state`,
        requests: back.counters.requests,
        ms: Date.now() - started,
      });
    } finally {
      await back.close();
    }
  });
});
