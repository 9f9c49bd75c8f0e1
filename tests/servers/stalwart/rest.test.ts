/** The REST stand-in (Stalwart 0.10-0.15) answers as the reference says the real server does. */
import { startStalwartServer, type StalwartTestServer } from "./server";

let s: StalwartTestServer;
let basic: string;
beforeAll(async () => {
  s = await startStalwartServer({ api: "rest" });
  basic = `Basic ${Buffer.from(`${s.username}:${s.password}`).toString("base64")}`;
});
afterAll(() => s.close());
beforeEach(() => s.reset());

async function call(method: string, path: string, body?: unknown, authorization: string | null = basic) {
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = authorization;
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    www: res.headers.get("www-authenticate"),
    body: text ? JSON.parse(text) : undefined,
  };
}
const post = (body: unknown) => call("POST", "/api/principal", body);
const patch = (name: string, body: unknown) => call("PATCH", `/api/principal/${name}`, body);

describe("the Stalwart REST stand-in", () => {
  it("authenticates every /api call: 401 problems, with a challenge only for a malformed header", async () => {
    const none = await call("GET", "/api/principal", undefined, null);
    expect(none).toMatchObject({
      status: 401,
      type: "application/problem+json",
      www: null,
      body: { title: "Unauthorized", detail: "You have to authenticate first." },
    });
    expect((await call("GET", "/api/principal", undefined, "Basic !!!")).www).toMatch(
      /Bearer realm="Stalwart Server", Basic realm="Stalwart Server"/,
    );
    expect(
      (
        await call(
          "GET",
          "/api/principal",
          undefined,
          `Basic ${Buffer.from("admin:wrong").toString("base64")}`,
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await call(
          "GET",
          "/api/principal",
          undefined,
          `Basic ${Buffer.from(` ADMIN :${s.password}`).toString("base64")}`,
        )
      ).status,
    ).toBe(200);
    expect((await call("OPTIONS", "/api/principal", undefined, null)).status).toBe(204);
    expect((await call("GET", "/api/nothing")).body).toMatchObject({ status: 404, title: "Not Found" });
  });

  it("answers management errors with HTTP 200 and an error body", async () => {
    expect(await post({ type: "domain", name: "Example.NET" })).toMatchObject({
      status: 200,
      body: { data: 1 },
    });
    expect((await post({ type: "individual", name: "example.net" })).body).toEqual({
      error: "fieldAlreadyExists",
      field: "name",
      value: "example.net",
    });
    expect((await post({ type: "individual", name: "" })).body).toEqual({
      error: "fieldMissing",
      field: "name",
    });
    expect((await post({ type: "individual", name: "ti", emails: ["ti@nowhere.org"] })).body).toEqual({
      error: "notFound",
      item: "nowhere.org",
    });
    expect((await post({ type: "individual", name: "ti", roles: ["operator"] })).body).toEqual({
      error: "notFound",
      item: "operator",
    });
    expect((await call("GET", "/api/principal/ghost")).body).toEqual({ error: "notFound", item: "ghost" });
    expect((await post({ type: "tenant", name: "t" })).body).toEqual({
      error: "unsupported",
      details: "Enterprise feature",
    });
  });

  it("answers 400 for unknown fields, unknown types, over-long strings and bad JSON", async () => {
    for (const body of [
      { type: "individual", name: "ti", mail: "x" },
      { type: "user", name: "ti" },
      { name: "x".repeat(513) },
      "{not json",
    ]) {
      expect(await post(body)).toMatchObject({
        status: 400,
        body: { title: "Invalid parameters", detail: "JSON deserialization failed" },
      });
    }
  });

  it("stores secrets verbatim, keeps the first password, lowercases names and addresses, and sorts aliases on read", async () => {
    await post({ type: "domain", name: "example.net" });
    await post({
      type: "individual",
      name: "NoReply",
      secrets: ["plain-one", "plain-two", "otpauth://totp/x"],
      emails: ["NoReply@example.net", "z@example.net", "a@example.net"],
      roles: ["user"],
      quota: 0,
    });
    const got = (await call("GET", "/api/principal/noreply")).body.data;
    expect(got).toMatchObject({
      name: "noreply",
      secrets: ["otpauth://totp/x", "plain-one"],
      emails: ["noreply@example.net", "a@example.net", "z@example.net"],
      roles: ["user"],
    });
    expect(got).not.toHaveProperty("quota");
    expect(got).not.toHaveProperty("usedQuota");
    s.deliver("noreply", 10);
    expect((await call("GET", "/api/principal/noreply")).body.data.usedQuota).toBe(10);
    expect((await call("GET", "/api/principal/example.net")).body.data.members).toBe(3);
    expect((await call("GET", "/api/principal/NoReply")).body).toEqual({
      error: "notFound",
      item: "NoReply",
    });
    expect((await call("GET", "/api/store/quota/noreply")).body).toEqual({ data: 10 });
  });

  it("applies PATCH action lists all or nothing, with the real server's quirks", async () => {
    await post({ type: "domain", name: "example.net" });
    await post({ type: "group", name: "staff" });
    await post({
      type: "individual",
      name: "ti",
      emails: ["ti@example.net"],
      roles: ["user"],
      memberOf: ["staff"],
    });
    expect((await patch("ti", [{ action: "set", field: "emails", value: "x@example.net" }])).body).toEqual({
      error: "other",
      details: "Invalid parameter",
      reason: 'Invalid value String("x@example.net") for emails',
    });
    expect((await patch("ti", [{ action: "addItem", field: "emails", value: "no-at" }])).body).toEqual({
      error: "other",
      details: "Invalid email",
      reason: "Email address is invalid",
    });
    expect((await patch("ti", [{ action: "set", field: "description", value: null }])).status).toBe(400);
    expect((await patch("ti", [{ action: "set", field: "type", value: "group" }])).body.details).toBe(
      "Invalid parameter",
    );
    // All or nothing: the rename is not written because the second change fails.
    await patch("ti", [
      { action: "set", field: "name", value: "intel" },
      { action: "addItem", field: "emails", value: "ti@nowhere.org" },
    ]);
    expect((await call("GET", "/api/principal/ti")).body.data.name).toBe("ti");
    // `set` on roles replaces memberOf too: they share one store.
    await patch("ti", [{ action: "set", field: "roles", value: ["user"] }]);
    expect((await call("GET", "/api/principal/ti")).body.data.memberOf).toBeUndefined();
    expect((await patch("ti", [{ action: "set", field: "name", value: "Intel" }])).body).toEqual({
      data: null,
    });
    expect((await call("GET", "/api/principal/intel")).body.data.emails).toEqual(["ti@example.net"]);
  });

  it("deletes an account and its mail with no check, and says notFound for a second delete", async () => {
    await post({ type: "domain", name: "example.net" });
    await post({ type: "individual", name: "ti", emails: ["ti@example.net"] });
    s.deliver("ti", 500);
    expect((await call("DELETE", "/api/principal/ti")).body).toEqual({ data: null });
    expect((await call("DELETE", "/api/principal/ti")).body).toEqual({ error: "notFound", item: "ti" });
    expect(s.counters.destroyed).toBe(1);
  });

  it("lists by type, sorted by name, with a total", async () => {
    for (const name of ["b.example", "a.example"]) await post({ type: "domain", name });
    await post({ type: "individual", name: "ti" });
    expect((await call("GET", "/api/principal?types=domain&limit=1")).body.data).toMatchObject({
      items: [{ name: "a.example" }],
      total: 2,
    });
    expect((await call("GET", "/api/principal?types=nonsense")).body.data.total).toBe(3);
  });

  it("lists only the fields asked for, as map_principal does: id and type always, usage only when above 0", async () => {
    // crates/directory/src/backend/internal/manage.rs, map_principal (v0.10-0.15): each field only when
    // `fields` is empty or names it; "Obtain used quota" sets usedQuota for individuals when > 0.
    await post({ type: "domain", name: "example.net" });
    for (const name of ["ti", "zo"])
      await post({ type: "individual", name, emails: [`${name}@example.net`] });
    s.deliver("zo", 700);
    const q = "/api/principal?types=individual,domain&limit=0&fields=name,usedQuota,members,bogus";
    const items = (await call("GET", q)).body.data.items as Record<string, unknown>[];
    expect(items.map((i) => Object.keys(i).sort())).toEqual([
      ["id", "members", "name", "type"],
      ["id", "name", "type"],
      ["id", "name", "type", "usedQuota"],
    ]);
    expect(items.map((i) => i.usedQuota ?? i.members)).toEqual([2, undefined, 700]);
    const full = (await call("GET", "/api/principal?types=individual&limit=0")).body.data.items;
    expect(full[0]).toHaveProperty("emails", ["ti@example.net"]);
  });

  it("counts what it sees, and fails, drops or delays requests on demand", async () => {
    s.failNext(1, 503);
    expect(await call("GET", "/api/principal")).toMatchObject({
      status: 503,
      body: { title: "Service Unavailable" },
    });
    s.dropNext(1);
    await expect(call("GET", "/api/principal")).rejects.toThrow();
    s.dropAfterHandlingNext(1, "POST /api/principal");
    await call("GET", "/api/principal");
    await expect(post({ type: "domain", name: "example.net" })).rejects.toThrow();
    expect((await call("GET", "/api/principal/example.net")).body.data.name).toBe("example.net");
    s.latencyMs = 50;
    const started = Date.now();
    await call("GET", "/api/principal");
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(s.counters).toMatchObject({
      requests: 6,
      requestsByRoute: { "GET /api/principal": 2, "POST /api/principal": 1, "GET /api/principal/{name}": 1 },
    });
    // Each cut connection forces a new one.
    expect(s.counters.tcpConnections).toBeGreaterThanOrEqual(2);
  });
});
