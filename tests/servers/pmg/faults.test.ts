// Fault switches, counters and the config lock.
import { startPmgServer, type PmgTestServer } from "./server";
import { TestClient, rootClient } from "./test-client";

let pmg: PmgTestServer;
let c: TestClient;

beforeAll(async () => {
  pmg = await startPmgServer({ authFailureDelayMs: 5 });
  c = await rootClient(pmg);
});
beforeEach(() => {
  pmg.state.clear();
  pmg.resetCounters();
});
afterAll(async () => {
  await c.close();
  await pmg.close();
});

test("latencyMs delays every reply", async () => {
  pmg.latencyMs = 120;
  const t0 = Date.now();
  await c.ok("GET", "/version");
  expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  pmg.latencyMs = 0;
});

test("failNext answers with the status without handling the request", async () => {
  pmg.failNext(2, 503);
  const first = await c.call("POST", "/config/domains", { form: { domain: "a.example" } });
  expect([first.status, first.reason, first.headers.get("connection")]).toEqual([
    503,
    "Service Unavailable",
    "close",
  ]);
  expect((await c.call("GET", "/version")).status).toBe(503);
  expect(pmg.state.domains.size).toBe(0);
  expect((await c.call("GET", "/version")).status).toBe(200);
  pmg.failNext(1);
  expect((await c.call("GET", "/version")).status).toBe(500);
  pmg.failNext(1, 429);
  expect((await c.call("GET", "/version")).reason).toBe("Too Many Requests");
});

test("dropNext loses the request; dropAfterHandlingNext loses only the answer", async () => {
  pmg.dropNext(1);
  await expect(c.call("POST", "/config/domains", { form: { domain: "a.example" } })).rejects.toThrow();
  expect(pmg.state.domains.has("a.example")).toBe(false);
  pmg.dropAfterHandlingNext(1);
  await expect(c.call("POST", "/config/domains", { form: { domain: "b.example" } })).rejects.toThrow();
  expect(pmg.state.domains.has("b.example")).toBe(true);
  // the retry of a non-idempotent call now meets the real server's duplicate error
  const retry = await c.call("POST", "/config/domains", { form: { domain: "b.example" } });
  expect(retry.reason).toBe("add relay domain failed: Domain 'b.example' already exists");
});

test("counters: requests per path and route, connections, auth failures", async () => {
  const fresh = await rootClient(pmg);
  await fresh.ok("GET", "/config/transport");
  await fresh.ok("GET", "/config/transport");
  await fresh.call("GET", "/config/transport/x.example");
  await fresh.call("GET", "/config/mail", { anonymous: true });
  const k = pmg.counters;
  expect(k.logins).toBe(1);
  expect(k.requests).toBe(5);
  expect(k.requestsByPath["GET /config/transport"]).toBe(2);
  expect(k.requestsByRoute["GET /config/transport/{domain}"]).toBe(1);
  expect(k.authFailures).toBe(1);
  // keep-alive on success; every error answer closes the connection (here: after the 500)
  expect(k.tcpConnections).toBe(2);
  expect(k.tlsConnections).toBe(2);
  await fresh.close();
});

test("reset() clears counters, faults and state", async () => {
  await c.ok("POST", "/config/domains", { form: { domain: "a.example" } });
  pmg.failNext(5);
  pmg.latencyMs = 1000;
  pmg.reset();
  expect(pmg.counters.requests).toBe(0);
  expect(pmg.state.domains.size).toBe(0);
  expect(await c.ok("GET", "/config/domains")).toEqual([]);
});

test("writes are serialized: concurrent creates of one key give one success", async () => {
  const results = await Promise.all(
    Array.from({ length: 8 }, () =>
      c.call("POST", "/config/transport", { form: { domain: "same.example", host: "mx.example" } }),
    ),
  );
  expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  expect(new Set(results.filter((r) => r.status !== 200).map((r) => r.reason))).toEqual(
    new Set(["add transport map entry failed: Transport map entry 'same.example' already exists"]),
  );
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      c.ok("POST", "/config/domains", { form: { domain: `d${i}.example` } }),
    ),
  );
  expect(pmg.state.domains.size).toBe(10);
});
