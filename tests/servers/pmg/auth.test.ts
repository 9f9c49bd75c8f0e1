// Login, tickets, CSRF and roles over real HTTPS.
import { startPmgServer, type PmgTestServer } from "./server";
import { TestClient, rootClient } from "./test-client";

let pmg: PmgTestServer;
let anon: TestClient;

beforeAll(async () => {
  pmg = await startPmgServer({ authFailureDelayMs: 150 });
  anon = new TestClient(pmg);
});
afterAll(async () => {
  await anon.close();
  await pmg.close();
});

const login = (form: Record<string, string>) =>
  anon.call("POST", "/access/ticket", { form, anonymous: true });

describe("POST /access/ticket", () => {
  test("root@pam logs in; ticket and CSRF token have PMG's shapes", async () => {
    const r = await login({ username: "root@pam", password: pmg.password });
    expect(r.status).toBe(200);
    const d = r.json?.data as Record<string, string>;
    expect(d.username).toBe("root@pam");
    expect(d.role).toBe("root");
    expect(d.ticket).toMatch(/^PMG:root@pam:[0-9A-F]{8}::[A-Za-z0-9+/]+=*$/);
    expect(d.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:\S+$/);
  });

  test("plain 'root' gets @quarantine appended and fails; root@pmg and realm=pam map to root@pam", async () => {
    const started = Date.now();
    const bad = await login({ username: "root", password: pmg.password });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(bad.status).toBe(401);
    expect(bad.reason).toBe("authentication failure");
    expect(bad.json).toEqual({ data: null, message: "authentication failure\n" });
    expect(bad.headers.get("connection")).toBe("close");
    for (const form of [{ username: "root@pmg" }, { username: "root", realm: "pam" }] as Array<
      Record<string, string>
    >) {
      const ok = await login({ ...form, password: pmg.password });
      expect((ok.json?.data as { username: string }).username).toBe("root@pam");
    }
  });

  test("missing password is a 400 from the schema", async () => {
    const r = await login({ username: "root@pam" });
    expect(r.status).toBe(400);
    expect(r.json?.errors).toEqual({ password: "property is missing and it is not optional" });
  });

  test("renewal with the ticket as password; counters tell logins from renewals", async () => {
    pmg.resetCounters();
    const c = await rootClient(pmg);
    const renewed = await login({ username: "root@pam", password: c.session?.ticket ?? "" });
    expect(renewed.status).toBe(200);
    expect(pmg.counters.logins).toBe(1);
    expect(pmg.counters.renewals).toBe(1);
    // root may renew for another user, others only for themselves
    const forAudit = await login({ username: "audit@pmg", password: c.session?.ticket ?? "" });
    expect((forAudit.json?.data as { role: string }).role).toBe("audit");
    await c.close();
  });

  test("GET /access/ticket is a dummy returning null", async () => {
    expect((await anon.call("GET", "/access/ticket", { anonymous: true })).text).toBe('{"data":null}');
  });
});

describe("ticket and CSRF checks", () => {
  let c: TestClient;
  beforeAll(async () => {
    c = await rootClient(pmg);
  });
  afterAll(() => c.close());

  test("cookie raw, URL-encoded, or in an Authorization header", async () => {
    const t = c.session?.ticket ?? "";
    for (const headers of [
      { Cookie: `PMGAuthCookie=${t}` },
      { Cookie: `x=1; PMGAuthCookie=${encodeURIComponent(t)}` },
      { Authorization: `PMGAuthCookie=${t}` },
    ] as Array<Record<string, string>>) {
      const r = await c.call("GET", "/version", { anonymous: true, headers });
      expect(r.status).toBe(200);
    }
  });

  test("401 answers have an empty body and the reason in the status line", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, "No ticket"],
      [{ Cookie: "PMGAuthCookie=PMG:root@pam:00000000::AAAA" }, "permission denied - invalid PMG ticket"],
      [{ Authorization: "PVEAPIToken=root@pam!t=abc" }, "API tokens not implemented"],
    ];
    for (const [headers, reason] of cases) {
      const r = await c.call("GET", "/config/mail", { anonymous: true, headers });
      expect([r.status, r.reason, r.text]).toEqual([401, reason, ""]);
    }
  });

  test("non-GET calls need the CSRF token", async () => {
    const headers = { Cookie: `PMGAuthCookie=${encodeURIComponent(c.session?.ticket ?? "")}` };
    const r = await c.call("PUT", "/config/mail", { anonymous: true, headers, form: { tls: "1" } });
    expect([r.status, r.reason, r.text]).toEqual([401, "Permission denied - invalid csrf token", ""]);
    const ok = await c.call("PUT", "/config/mail", {
      headers: { ...headers, CSRFPreventionToken: c.session?.csrf ?? "" },
      anonymous: true,
      form: { tls: "1" },
    });
    expect(ok.status).toBe(200);
  });

  test("auth is checked before routing: an unknown path without ticket is 401, with ticket 501", async () => {
    expect((await c.call("GET", "/nope", { anonymous: true })).status).toBe(401);
    const r = await c.call("GET", "/nope");
    expect([r.status, r.reason]).toEqual([501, "Method 'GET /nope' not implemented"]);
  });

  test("expireTickets() and the clock offset invalidate tickets", async () => {
    const own = await rootClient(pmg);
    pmg.clockOffsetSec = 7300;
    expect((await own.call("GET", "/version")).reason).toBe("permission denied - invalid PMG ticket");
    pmg.clockOffsetSec = 0;
    expect((await own.call("GET", "/version")).status).toBe(200);
    pmg.expireTickets();
    expect((await own.call("GET", "/version")).status).toBe(401);
    await own.login();
    expect((await own.call("GET", "/version")).status).toBe(200);
    await own.close();
    await c.login();
  });
});

describe("roles", () => {
  test("audit@pmg may read but not write; DKIM selector reads need admin", async () => {
    const audit = new TestClient(pmg);
    await audit.login(pmg.audit.username, pmg.audit.password);
    expect((await audit.call("GET", "/config/transport")).status).toBe(200);
    const w = await audit.call("POST", "/config/domains", { form: { domain: "example.com" } });
    expect([w.status, w.reason, w.json]).toEqual([
      403,
      "Permission check failed",
      { data: null, message: "Permission check failed\n" },
    ]);
    expect((await audit.call("GET", "/config/dkim/selector")).status).toBe(403);
    await audit.close();
  });
});
