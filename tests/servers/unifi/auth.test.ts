import { A, INT, start, V2, type Started } from "./raw";

describe("the UniFi stand-in's auth, throttling and faults", () => {
  let t: Started;
  beforeAll(async () => (t = await start({ version: "10.1.78", loginLimit: 3, loginWindowMs: 60_000 })));
  afterAll(() => t.close());
  beforeEach(() => t.server.reset());

  it("rejects a missing or wrong key with 401 on both surfaces", async () => {
    expect((await t.call("GET", V2, undefined, {})).status).toBe(401);
    const r = await t.call("GET", `${INT}/info`, undefined, { "x-api-key": "wrong" });
    expect([r.status, r.json.code]).toEqual([401, "api.authentication.missing-credentials"]);
    t.server.expireCredentials();
    expect((await t.call("GET", V2)).status).toBe(401);
    expect(t.server.counters.authFailures).toBe(3);
  });

  it("throttles logins, successful ones included, with 429 and no Retry-After; a session writes only with its CSRF token", async () => {
    const creds = { username: t.server.username, password: t.server.password, remember: true };
    const ok = await t.call("POST", "/api/auth/login", creds, {});
    expect(ok.status).toBe(200);
    const cookie = /TOKEN=[^;]+/.exec(ok.headers.get("set-cookie") ?? "")![0];
    const csrf = ok.headers.get("x-csrf-token")!;
    expect((await t.call("GET", V2, undefined, { cookie })).status).toBe(200);
    expect((await t.call("POST", V2, A, { cookie })).status).toBe(401);
    expect((await t.call("POST", V2, A, { cookie, "x-csrf-token": csrf })).status).toBe(200);

    await t.call("POST", "/api/auth/login", creds, {});
    await t.call("POST", "/api/auth/login", creds, {});
    const limited = await t.call("POST", "/api/auth/login", creds, {});
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeNull();
    expect(limited.json).toEqual({
      code: "AUTHENTICATION_FAILED_LIMIT_REACHED",
      message: "You've reached the login attempt limit",
      level: "debug",
    });
    expect(t.server.counters).toMatchObject({ loginAttempts: 4, logins: 3, loginsThrottled: 1 });
  });

  it("fails, throttles, drops and delays on request, matching a route when told to", async () => {
    t.server.faults.failNext(1, 503, "POST");
    t.server.faults.throttleNext(1, 2);
    const throttled = await t.call("GET", V2);
    expect([throttled.status, throttled.headers.get("retry-after")]).toEqual([429, "2"]);
    expect((await t.call("POST", V2, A)).status).toBe(503);
    t.server.faults.dropNext(1);
    await expect(t.call("GET", V2)).rejects.toThrow();
    t.server.faults.dropAfterHandlingNext(1);
    await expect(t.call("POST", V2, A)).rejects.toThrow();
    expect(t.server.store.records).toHaveLength(1);
    t.server.faults.latencyMs = 150;
    const started = Date.now();
    await t.call("GET", V2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(t.server.counters).toMatchObject({ throttled: 1, tlsConnections: expect.any(Number) });
    expect(t.server.counters.requestsByRoute["POST /v2/static-dns"]).toBe(2);
  });
});
