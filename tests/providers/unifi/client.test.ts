import { TlsPinError } from "../../../providers/http";
import { UnifiApiError, UnifiClient } from "../../../providers/unifi/client";
import { detectApi } from "../../../providers/unifi/detect";
import { DnsPolicySurface } from "../../../providers/unifi/integration";
import { rewrite } from "../../../providers/unifi/surface";
import { StaticDnsSurface } from "../../../providers/unifi/v2";
import { startUnifiServer, type UnifiServerOptions, type UnifiTestServer } from "../../servers/unifi/server";

const FAST = { retries: 3, baseDelayMs: 40, maxDelayMs: 400 };
const PMG = { name: "pmg.lab.local", type: "A" as const, value: "192.0.2.10", enabled: true };

describe("UnifiClient", () => {
  const servers: UnifiTestServer[] = [];
  const clients: UnifiClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });
  async function console_(opts: UnifiServerOptions = {}, key?: string) {
    const server = await startUnifiServer(opts);
    const client = new UnifiClient({
      endpoint: server.url,
      apiKey: key ?? server.apiKey,
      tlsFingerprint: server.fingerprint,
      retry: FAST,
    });
    servers.push(server);
    clients.push(client);
    return { server, client };
  }
  const routeCount = (s: UnifiTestServer, route: string) => s.counters.requestsByRoute[route] ?? 0;

  it("detects the integration API from 10.1 and the v2 API before it, or where DNS policies do not answer", async () => {
    for (const [opts, api] of [
      [{ version: "10.1.78" }, "integration"],
      [{ version: "10.2.97" }, "integration"],
      [{ version: "10.0.160" }, "v2"],
      [{ version: "9.0.114" }, "v2"],
      [{ version: "10.1.13", dnsPolicies: false }, "v2"],
    ] as const) {
      const { client, server } = await console_(opts);
      expect([opts.version, (await detectApi(client, "default")).api]).toEqual([opts.version, api]);
      expect(server.counters.authFailures).toBe(0);
    }
  });

  it("sends the API key and never logs in", async () => {
    const { client, server } = await console_();
    await new StaticDnsSurface(client, "default").list();
    expect(server.counters).toMatchObject({ loginAttempts: 0, authFailures: 0 });
  });

  it("fails at once on a rejected key, naming the secret, without repeating the request or printing the key", async () => {
    const { client, server } = await console_({}, "not-the-key-5d1f");
    const err = await new StaticDnsSurface(client, "default").list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnifiApiError);
    expect(err).toMatchObject({ code: "E_UNIFI_AUTH", status: 401 });
    expect(String(err)).toMatch(/homelab-mail:unifiApiKey/);
    expect(String(err)).not.toContain("not-the-key-5d1f");
    expect(server.counters.requests).toBe(1);
  });

  it("waits out Retry-After for every request of the console, not only the throttled one", async () => {
    const { client, server } = await console_();
    const surface = new StaticDnsSurface(client, "default");
    server.faults.throttleNext(1, 1);
    const started = Date.now();
    const first = surface.list();
    await new Promise((r) => setTimeout(r, 100));
    const second = surface.list();
    await Promise.all([first, second]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.counters.requests).toBe(3);
    expect(client.counters.throttled).toBe(1);
  });

  it("backs off longer on each throttle in a row, and gives up after its bound", async () => {
    const { client, server } = await console_();
    const surface = new StaticDnsSurface(client, "default");
    server.faults.throttleNext(3);
    const started = Date.now();
    await surface.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40 + 80 + 160 - 10);

    server.resetCounters();
    server.faults.throttleNext(10);
    const err = await surface.create(PMG).catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 429,
      message: expect.stringMatching(/throttling.*run pulumi up again/),
    });
    expect(server.counters.requests).toBe(1 + FAST.retries);
    expect(server.store.records).toHaveLength(0);
    server.faults.clear();
  });

  it("repeats a read after a 503 or a dropped connection, but never a create", async () => {
    const { client, server } = await console_();
    const surface = new StaticDnsSurface(client, "default");
    server.faults.failNext(1, 503);
    server.faults.dropNext(1);
    expect(await surface.list()).toEqual([]);
    expect(routeCount(server, "GET /v2/static-dns")).toBe(3);

    server.faults.failNext(1, 503, "POST");
    await expect(surface.create(PMG)).rejects.toMatchObject({ status: 503 });
    expect(routeCount(server, "POST /v2/static-dns")).toBe(1);
  });

  it("refuses a console whose certificate does not match the pin", async () => {
    const { server } = await console_();
    const client = new UnifiClient({
      endpoint: server.url,
      apiKey: server.apiKey,
      tlsFingerprint: "AA:".repeat(31) + "AA",
      retry: FAST,
    });
    clients.push(client);
    await expect(new StaticDnsSurface(client, "default").list()).rejects.toBeInstanceOf(TlsPinError);
  });
});

describe("the DNS surfaces", () => {
  let server: UnifiTestServer;
  let client: UnifiClient;
  afterEach(async () => {
    await client.close();
    await server.close();
  });
  async function open(opts: UnifiServerOptions) {
    server = await startUnifiServer(opts);
    client = new UnifiClient({
      endpoint: server.url,
      apiKey: server.apiKey,
      tlsFingerprint: server.fingerprint,
      retry: FAST,
    });
  }

  it("v2 reads numbers sent as strings or as empty strings", async () => {
    await open({ version: "9.4.19" });
    server.store.addByHand({ key: "mail.lab.local", type: "A", value: "192.0.2.20", ttl: 300 });
    server.store.addByHand({ key: "pmg.lab.local", type: "A", value: "192.0.2.10" });
    const listed = await new StaticDnsSurface(client, "default").list();
    expect(listed.map((r) => [r.name, r.ttl, r.enabled])).toEqual([
      ["mail.lab.local", 300, true],
      ["pmg.lab.local", 0, true],
    ]);
  });

  it("v2 without PUT deletes and then creates, never holding two records, and stops trying PUT", async () => {
    await open({ version: "9.4.19", v2Put: false });
    const surface = new StaticDnsSurface(client, "default");
    const created = await surface.create(PMG);
    const moved = await rewrite(surface, created.id, { ...PMG, value: "192.0.2.11" });
    expect(moved.id).not.toBe(created.id);
    const again = await rewrite(surface, moved.id, { ...PMG, value: "192.0.2.12" });
    expect(server.store.records.map((r) => [r.value, r.v2Id])).toEqual([["192.0.2.12", again.id]]);
    expect(server.store.peakSameName).toBe(1);
    expect(server.counters.requestsByRoute["PUT /v2/static-dns/{id}"]).toBe(1);
  });

  it("v2 with PUT updates in place", async () => {
    await open({ version: "9.4.19" });
    const surface = new StaticDnsSurface(client, "default");
    const created = await surface.create(PMG);
    expect(await rewrite(surface, created.id, { ...PMG, ttl: 600 })).toMatchObject({
      id: created.id,
      ttl: 600,
    });
  });

  it("integration pages through more than one page of 200 and keeps the id on update", async () => {
    await open({ version: "10.1.78" });
    for (let i = 0; i < 450; i++)
      server.store.addByHand({ key: `h${i}.lab.local`, type: "A", value: "192.0.2.1" });
    const surface = new DnsPolicySurface(client, server.store.sites[0].id);
    expect(await surface.list()).toHaveLength(450);
    expect(server.counters.requestsByRoute["GET /integration/dns/policies"]).toBe(3);
    const created = await surface.create({ ...PMG, type: "AAAA", value: "2001:db8::10" });
    expect(created).toMatchObject({ type: "AAAA", value: "2001:db8::10", ttl: 300 });
    expect(await rewrite(surface, created.id, { ...PMG, type: "AAAA", value: "2001:db8::11" })).toMatchObject(
      { id: created.id },
    );
    await surface.remove(created.id);
    await surface.remove(created.id);
  });
});
