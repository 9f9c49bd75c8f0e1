import { PmgApiError, PmgClient } from "../../../providers/pmg/client";
import { startPmgServer, type PmgTestServer } from "../../servers/pmg/server";

/** The error a call fails with (and a test failure if it succeeds). */
function failure(p: Promise<unknown>): Promise<PmgApiError> {
  return p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e as PmgApiError,
  );
}

const FAST = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };

describe("PmgClient", () => {
  let pmg: PmgTestServer;
  let pmg7: PmgTestServer;
  beforeAll(async () => {
    [pmg, pmg7] = await Promise.all([
      startPmgServer({ authFailureDelayMs: 20 }),
      startPmgServer({ version: 7, authFailureDelayMs: 20 }),
    ]);
  });
  afterAll(() => Promise.all([pmg.close(), pmg7.close()]));
  beforeEach(() => {
    pmg.reset();
    pmg7.reset();
  });

  const client = (server = pmg, extra: Partial<ConstructorParameters<typeof PmgClient>[0]> = {}) =>
    new PmgClient({
      endpoint: `https://127.0.0.1:${server.port}`,
      username: server.username,
      password: server.password,
      tlsFingerprint: server.fingerprint,
      retry: FAST,
      ...extra,
    });

  it("logs in once for many concurrent calls and reuses its connections", async () => {
    const c = client();
    await Promise.all(Array.from({ length: 20 }, () => c.get("/config/mynetworks")));
    expect(pmg.counters.logins).toBe(1);
    expect(pmg.counters.tlsConnections).toBeLessThanOrEqual(9);
    const connections = pmg.counters.tlsConnections;
    for (let i = 0; i < 5; i++) await c.get("/config/domains");
    expect(pmg.counters.tlsConnections).toBe(connections);
    await c.close();
  });

  it("logs in again once when its ticket has expired, and the call succeeds", async () => {
    const c = client();
    await c.get("/version");
    pmg.expireTickets();
    await c.create("/config/domains", { domain: "example.net", comment: "" });
    expect(pmg.state.domains.has("example.net")).toBe(true);
    expect([pmg.counters.logins, pmg.counters.authFailures]).toEqual([2, 1]);
    await c.close();
  });

  it("renews its ticket before the two-hour lifetime runs out", async () => {
    const c = client(pmg, { renewMarginSec: 7200 - 0.05 });
    await c.get("/version");
    await new Promise((r) => setTimeout(r, 80));
    await c.get("/version");
    expect([pmg.counters.logins, pmg.counters.renewals]).toEqual([1, 1]);
    await c.close();
  });

  it("retries an idempotent call through a burst of 503s, but never a POST", async () => {
    const c = client();
    await c.get("/version");
    pmg.failNext(2, 503);
    await expect(c.get("/config/mynetworks")).resolves.toEqual([]);
    expect(c.counters.retries).toBe(2);
    pmg.failNext(1, 503);
    const err = await failure(c.create("/config/mynetworks", { cidr: "192.0.2.0/24" }));
    expect(err).toBeInstanceOf(PmgApiError);
    expect(err.message).toMatch(/^pmg: POST \/config\/mynetworks failed \(503\): Service Unavailable/);
    expect(pmg.state.mynetworks.size).toBe(0);
    await c.close();
  });

  it("tells missing and duplicate from failures, and retries neither", async () => {
    const c = client();
    await c.create("/config/domains", { domain: "example.net" });
    const before = pmg.counters.requests;
    const dup = await failure(c.create("/config/domains", { domain: "example.net" }));
    const missing = await failure(c.get("/config/domains/example.org"));
    expect([dup.kind, missing.kind]).toEqual(["duplicate", "missing"]);
    expect(dup.message).toMatch(/\(500\): add relay domain failed: Domain 'example\.net' already exists/);
    expect(pmg.counters.requests - before).toBe(2);
    await c.close();
  });

  it("retries a GET whose connection dropped, and does not repeat a POST whose answer was lost", async () => {
    const c = client();
    await c.get("/version");
    pmg.dropNext(1);
    await expect(c.get("/config/mynetworks")).resolves.toEqual([]);
    pmg.dropAfterHandlingNext(1);
    const err = await failure(c.create("/config/mynetworks", { cidr: "192.0.2.0/24" }));
    expect(err.message).toMatch(/failed \(no answer\)/);
    // The write happened: callers re-read before deciding (create adopts what matches).
    expect(pmg.state.mynetworks.has("192.0.2.0/24")).toBe(true);
    await c.close();
  });

  it("reads PMG 7's error text from the reason phrase", async () => {
    const c = client(pmg7);
    const err = await failure(c.get("/config/transport/example.net"));
    expect(err.message).toMatch(/\(500\): Transport map entry 'example\.net' does not exist/);
    expect(err.kind).toBe("missing");
    await c.close();
  });

  it("reads the error text of a PMG 8 whose pve-http-server predates 5.2.0 from the reason phrase", async () => {
    const older = await startPmgServer({ version: 8, httpServer: "5.1.2", authFailureDelayMs: 20 });
    const c = client(older);
    try {
      const err = await failure(c.create("/config/domains", { domain: "example..net" }));
      expect(err.message).toMatch(/\(400\): Parameter verification failed/);
      await c.create("/config/domains", { domain: "example.net" });
      const dup = await failure(c.create("/config/domains", { domain: "example.net" }));
      expect(dup.kind).toBe("duplicate");
    } finally {
      await c.close();
      await older.close();
    }
  });

  it("refuses a server whose certificate does not match the pin, before sending anything", async () => {
    const c = client(pmg, { tlsFingerprint: "AB:".repeat(31) + "CD" });
    await expect(c.get("/version")).rejects.toThrow(
      /has fingerprint .* not the pinned AB:AB:.*update its tlsFingerprint/,
    );
    expect(pmg.counters.requests).toBe(0);
    await c.close();
  });

  it("names the config keys on a failed login and never shows the password", async () => {
    const c = client(pmg, { password: "wrong-password-123" });
    const err = await failure(c.get("/version"));
    expect(err.message).toMatch(
      /POST \/access\/ticket failed \(401\): authentication failure; check homelab-mail:pmg\.username \(root@pam/,
    );
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain("wrong-password-123");
    await c.close();
  });
});
