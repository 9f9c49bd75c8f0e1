/**
 * UnifiDnsRecord under faults, through the provider host, on both DNS surfaces (the v2 static-dns
 * API and the integration API's DNS policies). After every row, state and console agree: the record
 * state holds is the console's one record of that name, with the state's id and value, and the
 * console holds no record state does not know of (a duplicate can stop the gateway's DNS and DHCP).
 */
import type { State } from "../providers/engine";
import { startUnifiBed, type UnifiBed } from "../providers/unifi/bed";
import { KIND } from "../../providers/unifi/dnsRecord";
import { startUnifiServer, type UnifiTestServer } from "../servers/unifi/server";
import { attempt } from "./attempt";
import { FaultTable } from "./table";

const MODES = [
  ["v2", { version: "9.4.19" }],
  ["integration", { version: "10.1.78" }],
] as const;
const RECORD = { name: "pmg.lab.local", type: "A", value: "192.0.2.10" };

let bed: UnifiBed;
const table = new FaultTable("unifi");
beforeAll(async () => {
  bed = await startUnifiBed(MODES.map(([, opts]) => opts));
});
afterAll(async () => {
  await bed.close();
  table.write();
});

describe.each(MODES.map(([api], i) => [api, i] as const))("UniFi (%s surface) under faults", (api, i) => {
  let unifi: UnifiTestServer;
  const up = (extra: Record<string, unknown> = {}, state?: State) =>
    bed.engine.up(KIND, { endpoint: unifi.url, ...RECORD, ...extra }, state).then((r) => r.state);
  /** `fix`: what ends the fault; by default the network recovers. */
  const run = <T>(fault: string, operation: string, op: () => Promise<T>, fix = () => unifi.faults.clear()) =>
    attempt(
      table,
      { fault, operation: `${operation} (${api})` },
      { requests: () => unifi.counters.requests, recover: fix, pending: () => unifi.faults.pending },
      op,
    );
  const agrees = (state: State | undefined) => {
    const records = unifi.store.records.map((r) => ({
      id: api === "v2" ? r.v2Id : r.uuid,
      name: r.key,
      type: r.recordType,
      value: r.value,
    }));
    const o = state?.outputs;
    expect(records).toEqual(o ? [{ id: o.recordId, name: o.name, type: o.type, value: o.value }] : []);
  };

  beforeAll(async () => {
    unifi = bed.consoles[i];
    // The host compiles the providers on its first call and detects each console's surface once:
    // keep both out of the rows.
    await bed.engine.destroy(await up());
  });
  beforeEach(() => unifi.reset());

  it("200 ms of latency on every answer: converges", async () => {
    unifi.faults.latencyMs = 200;
    agrees((await run("200 ms latency", "create record", () => up())).result);
  });

  it("503s on reads within the retry budget: backs off and converges without a failure", async () => {
    unifi.faults.failNext(2, 503, "GET");
    const r = await run("2 × 503 on reads", "create record", () => up());
    expect(r.error).toBeUndefined();
    agrees(r.result);
  });

  it("a 503 to the write: judges the console again, fails clearly with nothing made, converges next time", async () => {
    unifi.faults.failNext(1, 503, "POST");
    let first = true;
    const r = await run("503 to the POST (writes are not retried)", "create record", () =>
      first
        ? up().catch((e) => {
            first = false;
            expect(unifi.store.records).toEqual([]);
            throw e;
          })
        : up(),
    );
    expect(r.error?.message).toMatch(/unifi: POST \S+ failed \(503\)/);
    agrees(r.result);
  });

  it("throttled with Retry-After: waits and converges", async () => {
    unifi.faults.throttleNext(1, 1);
    const r = await run("429 with Retry-After: 1", "create record", () => up());
    expect(r.error).toBeUndefined();
    agrees(r.result);
  });

  it("a connection dropped before the answer: retried, converges", async () => {
    unifi.faults.dropNext(1);
    const r = await run("connection dropped mid-request", "create record", () => up());
    expect(r.error).toBeUndefined();
    agrees(r.result);
  });

  it("a create that succeeded but whose answer was lost: adopts its own record, never a duplicate", async () => {
    unifi.faults.dropAfterHandlingNext(1, "POST");
    const r = await run("answer to a successful POST lost", "create record", () => up());
    expect(r.error).toBeUndefined();
    agrees(r.result);
    expect(unifi.store.peakSameName).toBe(1);
  });

  it("an update that succeeded but whose answer was lost: retried in place, converges", async () => {
    const first = await up();
    unifi.faults.dropAfterHandlingNext(1, "PUT");
    const r = await run("answer to a successful PUT lost", "update value", () =>
      up({ value: "192.0.2.11" }, first),
    );
    expect(r.result.outputs.value).toBe("192.0.2.11");
    agrees(r.result);
  });

  it("a delete that succeeded but whose answer was lost: retried, and gone counts as done", async () => {
    const state = await up();
    unifi.faults.dropAfterHandlingNext(1, "DELETE");
    await run("answer to a successful DELETE lost", "delete record", () => bed.engine.destroy(state));
    agrees(undefined);
  });

  it("a revoked API key: fails naming the key's config, converges once it works again", async () => {
    const state = await up();
    unifi.expireCredentials();
    const r = await run(
      "API key revoked",
      "update value",
      () => up({ value: "192.0.2.11" }, state),
      () => unifi.restoreCredentials(),
    );
    expect(r.error?.message).toMatch(/failed \(401\).*check the secret homelab-mail:unifiApiKey/);
    expect(r.error?.message).not.toContain(bed.apiKey);
    agrees(r.result);
  });

  // Last in each mode: it replaces this mode's console.
  it("the console goes down between create and refresh and comes back without the record: refresh rides over it and drops the record", async () => {
    const state = await up();
    const { port, version } = unifi;
    const site = unifi.store.sites[0];
    await unifi.close();
    const started = Date.now();
    const refreshed = bed.engine.refresh(state);
    await new Promise((r) => setTimeout(r, 300));
    // Restored from a backup older than the record: same site, no records.
    unifi = await startUnifiServer({ port, version, apiKey: bed.apiKey });
    unifi.store.sites[0] = site;
    try {
      const after = await refreshed;
      expect(after).toBeUndefined();
      agrees(after);
      table.add({
        fault: "console down between create and refresh (~300 ms), back without the record",
        operation: `refresh record (${api})`,
        outcome:
          "converged in the same run: the refresh retried the refused connection, then dropped the record",
        requests: unifi.counters.requests,
        ms: Date.now() - started,
      });
    } finally {
      await unifi.close();
    }
  });
});
