// What changes between the emulated PMG 7, 8 and 9 (README section 3).
import { startPmgServer, type PmgTestServer } from "./server";
import { rootClient, type TestClient } from "./test-client";

const servers: Array<{ pmg: PmgTestServer; c: TestClient }> = [];

async function start(version: 7 | 8 | 9): Promise<{ pmg: PmgTestServer; c: TestClient }> {
  const pmg = await startPmgServer({ version, authFailureDelayMs: 5 });
  const c = await rootClient(pmg);
  servers.push({ pmg, c });
  return { pmg, c };
}

afterAll(async () => {
  for (const { pmg, c } of servers) {
    await c.close();
    await pmg.close();
  }
});

test("/version strings", async () => {
  const expected = {
    7: { version: "7.3-4", release: "7.3", repoid: /^[0-9a-f]{8}$/ },
    8: { version: "8.3.1", release: "8.3", repoid: /^[0-9a-f]{12}$/ },
    9: { version: "9.1.0", release: "9.1", repoid: /^[0-9a-f]{12}$/ },
  };
  for (const v of [7, 8, 9] as const) {
    const { c } = await start(v);
    const d = (await c.ok("GET", "/version")) as { version: string; release: string; repoid: string };
    expect([d.version, d.release]).toEqual([expected[v].version, expected[v].release]);
    expect(d.repoid).toMatch(expected[v].repoid);
  }
});

describe("PMG 7", () => {
  test("errors carry no message field (text only in the reason phrase)", async () => {
    const { c } = await start(7);
    const r = await c.call("POST", "/config/mynetworks", { form: { cidr: "10.0.0.0/7" } });
    expect(r.json).toEqual({
      data: null,
      errors: { cidr: "invalid format - value does not look like a valid CIDR network\n" },
    });
    const dup = await c.call("GET", "/config/domains/example.com");
    expect([dup.status, dup.reason, dup.text]).toEqual([
      500,
      "Domain 'example.com' does not exist",
      '{"data":null}',
    ]);
    const login = await c.call("POST", "/access/ticket", {
      form: { username: "root", password: "x" },
      anonymous: true,
    });
    expect([login.status, login.text]).toEqual([401, '{"data":null}']);
  });

  test("options added later are unknown; a protected call's JSON booleans arrive as 1/0; realm is an enum", async () => {
    const { c } = await start(7);
    // pve-http-server 4.x re-encodes the JSON body as a form for pmgdaemon (proxy.ts): true becomes "1".
    const r = await c.call("PUT", "/config/mail", { json: { tls: true, "filter-timeout": 60 } });
    expect(r.json?.errors).toEqual({
      "filter-timeout":
        "property is not defined in schema and the schema does not allow additional properties",
    });
    const a = await c.call("PUT", "/config/admin", { form: { "dkim-use-domain": "header" } });
    expect(Object.keys(a.json?.errors ?? {})).toEqual(["dkim-use-domain"]);
    const realm = await c.call("POST", "/access/ticket", {
      form: { username: "root", realm: "ldap", password: "x" },
      anonymous: true,
    });
    expect(realm.json?.errors).toEqual({
      realm: "value 'ldap' does not have a value in the enumeration 'pam, pmg, quarantine'",
    });
  });
});

describe("PMG 8", () => {
  test("mynetworks entries carry network_address and prefix_size; 9.x-only options are unknown", async () => {
    const { c } = await start(8);
    await c.ok("POST", "/config/mynetworks", { form: { cidr: "192.168.0.0/16" } });
    expect(await c.ok("GET", "/config/mynetworks")).toEqual([
      { cidr: "192.168.0.0/16", network_address: "192.168.0.0", prefix_size: "16", comment: "" },
    ]);
    await c.ok("PUT", "/config/mail", { json: { "filter-timeout": 60, tls: true } });
    const r = await c.call("PUT", "/config/mail", { form: { "queue-lifetime": "5" } });
    expect(r.json?.errors).toEqual({
      "queue-lifetime":
        "property is not defined in schema and the schema does not allow additional properties",
    });
    expect(r.json?.message).toBe("Parameter verification failed.\n");
  });

  test("fetchmail entries without ssl have no sslproto before 9.0", async () => {
    const { c } = await start(8);
    const id = await c.ok("POST", "/config/fetchmail", {
      form: { server: "pop.example.com", protocol: "pop3", user: "u", pass: "p", target: "u@example.com" },
    });
    const entry = (await c.ok("GET", `/config/fetchmail/${String(id)}`)) as Record<string, unknown>;
    expect(entry.sslproto).toBeUndefined();
    expect(entry.port).toBe("110");
  });
});

// pve-http-server AnyEvent.pm proxy_request: before 5.0.2 (commit f398a3d) a protected call's
// parameters reach pmgdaemon as `query_form(%$params)`, and decode_urlencoded reads `comment=` as
// undef; Formatter/Standard.pm adds `message` to JSON errors from 5.2.0 (commit 9a2112e).
describe("an empty comment and error bodies by pve-http-server version", () => {
  test("PMG 7: a required empty comment is missing, an optional one is ignored; a blank one goes through", async () => {
    const { pmg, c } = await start(7);
    pmg.state.domains.set("example.net", { comment: "CTI service domain" });
    const put = await c.call("PUT", "/config/domains/example.net", { json: { comment: "" } });
    expect([put.status, put.json?.errors]).toEqual([
      400,
      { comment: "property is missing and it is not optional" },
    ]);
    pmg.state.transport.set("example.net", {
      host: "192.0.2.20",
      protocol: "smtp",
      port: 25,
      use_mx: 0,
      comment: "Deliver to Stalwart",
    });
    await c.ok("PUT", "/config/transport/example.net", { json: { comment: "" } });
    expect(((await c.ok("GET", "/config/transport/example.net")) as { comment: string }).comment).toBe(
      "Deliver to Stalwart",
    );
    await c.ok("PUT", "/config/transport/example.net", { json: { comment: " " } });
    expect(((await c.ok("GET", "/config/transport/example.net")) as { comment: string }).comment).toBe("");
    // Not proxied (GET is not protected) and not JSON (a form) are unaffected: the form `comment=` was always undef.
    const form = await c.call("PUT", "/config/domains/example.net", { form: { comment: "" } });
    expect(form.status).toBe(400);
  });

  test("PMG 8: an empty JSON comment clears; `message` only from libpve-http-server-perl 5.2.0", async () => {
    const { pmg, c } = await start(8);
    pmg.state.domains.set("example.net", { comment: "CTI service domain" });
    await c.ok("PUT", "/config/domains/example.net", { json: { comment: "" } });
    expect(await c.ok("GET", "/config/domains/example.net")).toEqual({ domain: "example.net", comment: "" });
    expect((await c.call("GET", "/config/domains/example.org")).json?.message).toBe(
      "Domain 'example.org' does not exist\n",
    );
    const older = await startPmgServer({ version: 8, httpServer: "5.1.2", authFailureDelayMs: 5 });
    const oc = await rootClient(older);
    servers.push({ pmg: older, c: oc });
    const r = await oc.call("GET", "/config/domains/example.org");
    expect([r.status, r.reason, r.text]).toEqual([
      500,
      "Domain 'example.org' does not exist",
      '{"data":null}',
    ]);
  });
});
