/** The JMAP stand-in (Stalwart 0.16+) answers as the reference says the real server does. */
import { startStalwartServer, type StalwartTestServer } from "./server";

let s: StalwartTestServer;
let basic: string;
beforeAll(async () => {
  s = await startStalwartServer({ api: "jmap" });
  basic = `Basic ${Buffer.from(`${s.username}:${s.password}`).toString("base64")}`;
});
afterAll(() => s.close());
beforeEach(() => s.reset());

const USING = ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"];
type Call = [string, Record<string, unknown>, string];

async function post(body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
  const res = await fetch(`${s.url}/jmap`, {
    method: "POST",
    headers: { authorization: basic, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
async function calls(...methodCalls: Call[]) {
  const r = await post({ using: USING, methodCalls });
  expect(r.status).toBe(200);
  return r.body.methodResponses as [string, any, string][];
}
const one = async (c: Call) => (await calls(c))[0][1];
const domain = (name: string, extra = {}) =>
  one(["x:Domain/set", { create: { d: { name, dkimManagement: { "@type": "Manual" }, ...extra } } }, "0"]);
const user = (fields: Record<string, unknown>) =>
  one(["x:Account/set", { create: { u: { "@type": "User", ...fields } } }, "0"]);

describe("the Stalwart JMAP stand-in", () => {
  it("has no REST principal API: 404 before authentication, and a session that names urn:stalwart:jmap", async () => {
    const gone = await fetch(`${s.url}/api/principal`);
    expect([gone.status, ((await gone.json()) as any).title]).toEqual([404, "Not Found"]);
    const anonymous = (await (await fetch(`${s.url}/jmap/session`)).json()) as any;
    expect([anonymous.username, anonymous.accounts]).toEqual(["", {}]);
    const res = await fetch(`${s.url}/jmap/session`, { headers: { authorization: basic } });
    const session = (await res.json()) as any;
    expect(session.primaryAccounts["urn:stalwart:jmap"]).toBe("d333333");
    expect(session.capabilities).not.toHaveProperty("urn:stalwart:jmap");
    const denied = await fetch(`${s.url}/jmap`, { method: "POST", body: "{}" });
    expect([denied.status, denied.headers.get("www-authenticate")]).toEqual([
      401,
      expect.stringContaining("resource_metadata"),
    ]);
  });

  it("rejects bad envelopes as whole requests", async () => {
    expect((await post({ using: USING, methodCalls: [] }, { "content-type": "text/plain" })).body.type).toBe(
      "urn:ietf:params:jmap:error:notJSON",
    );
    expect((await post("{")).body.type).toBe("urn:ietf:params:jmap:error:notRequest");
    expect((await post({ using: ["urn:example:nope"], methodCalls: [] })).body.type).toBe(
      "urn:ietf:params:jmap:error:notRequest",
    );
    const many = Array.from({ length: 17 }, (_, i): Call => ["x:Domain/query", {}, String(i)]);
    expect((await post({ using: USING, methodCalls: many })).body).toMatchObject({
      limit: "maxCallsInRequest",
    });
    expect((await calls(["x:Widget/get", {}, "w"]))[0]).toEqual([
      "error",
      { type: "unknownMethod", description: "x:Widget/get" },
      "w",
    ]);
  });

  it("validates domains: sanitized names with a known TLD, unique, no empty description", async () => {
    expect((await domain(" Example.NET ")).created.d.id).toBe("b");
    expect((await domain("example.invalid")).notCreated.d).toEqual({
      type: "invalidPatch",
      description: "Invalid domain name",
      properties: ["name"],
    });
    expect((await domain("example.net")).notCreated.d).toEqual({
      type: "primaryKeyViolation",
      properties: ["name"],
      objectId: { object: "Domain", id: "b" },
    });
    expect((await domain("example.org", { description: "" })).notCreated.d.type).toBe("invalidPatch");
    expect(
      (await domain("example.org", { createdAt: "2026-01-01T00:00:00Z" })).notCreated.d.description,
    ).toBe("Cannot modify server set property");
    const full = (await one(["x:Domain/get", { ids: ["b"] }, "g"])).list[0];
    expect(full).toMatchObject({
      name: "example.net",
      description: null,
      dkimManagement: { "@type": "Manual" },
      isEnabled: true,
    });
    expect(full).toHaveProperty("dnsZoneFile");
    expect((await one(["x:Domain/get", { ids: ["b", "zz"], properties: ["name"] }, "g"])).notFound).toEqual([
      "zz",
    ]);
  });

  it("creates accounts with hashed, masked passwords that pass the strength policy, one password at most", async () => {
    await domain("example.net");
    expect(
      (
        await user({
          name: "ti",
          domainId: "b",
          credentials: { "0": { "@type": "Password", secret: "short" } },
        })
      ).notCreated.u,
    ).toEqual({
      type: "invalidProperties",
      description: "Password must be at least 8 characters long.",
      properties: ["secret"],
    });
    expect(
      (
        await user({
          name: "ti",
          domainId: "b",
          credentials: { "0": { "@type": "Password", secret: "password123" } },
        })
      ).notCreated.u.description,
    ).toMatch(/^Password is too weak/);
    const two = {
      "0": { "@type": "Password", secret: "Velvet-Harbor-71-Quince" },
      "1": { "@type": "Password", secret: "Orbit-Lantern-58-Thistle" },
    };
    expect((await user({ name: "ti", domainId: "b", credentials: two })).notCreated.u.description).toBe(
      "Only one password credential is allowed.",
    );
    expect((await user({ name: "ti" })).notCreated.u).toEqual({
      type: "validationFailed",
      validationErrors: [{ type: "Required", property: "domainId" }],
    });
    expect((await user({ name: "ti@x", domainId: "b" })).notCreated.u.description).toBe(
      "Invalid email local part",
    );
    expect((await user({ name: "ti", domainId: "zz" })).notCreated.u).toEqual({
      type: "invalidForeignKey",
      objectId: { object: "Domain", id: "zz" },
    });
    const ok = await user({
      name: "TI",
      domainId: "b",
      credentials: { "0": { "@type": "Password", secret: "Velvet-Harbor-71-Quince" } },
    });
    expect(ok.created.u.id).toBe("b");
    const got = (await one(["x:Account/get", { ids: ["b"] }, "g"])).list[0];
    expect(got).toMatchObject({
      name: "ti",
      emailAddress: "ti@example.net",
      roles: { "@type": "User" },
      usedDiskQuota: 0,
      credentials: { "0": { secret: "****", credentialId: "a" } },
    });
    expect((await user({ name: "ti", domainId: "b" })).notCreated.u).toEqual({
      type: "primaryKeyViolation",
      properties: ["email"],
      objectId: { object: "Account", id: "b" },
    });
  });

  it("patches by JSON pointer, refuses server-set properties and a type change, and keeps a masked secret", async () => {
    await domain("example.net");
    await user({
      name: "ti",
      domainId: "b",
      credentials: { "0": { "@type": "Password", secret: "Velvet-Harbor-71-Quince" } },
    });
    const update = (patch: Record<string, unknown>) => one(["x:Account/set", { update: { b: patch } }, "0"]);
    expect(
      await update({
        "aliases/0": { name: "intel", domainId: "b" },
        "quotas/maxDiskQuota": 1024,
        "credentials/0/secret": "****",
      }),
    ).toEqual({ accountId: "d333333", updated: { b: null } });
    expect((await update({ usedDiskQuota: 0 })).notUpdated.b.description).toBe(
      "Cannot modify server set property",
    );
    expect((await update({ "@type": "Group" })).notUpdated.b.description).toBe(
      "Cannot change the type of an existing account.",
    );
    expect(
      (await update({ "credentials/1": { "@type": "AppPassword", secret: "x" } })).notUpdated.b.description,
    ).toBe("Secondary credentials cannot be set directly.");
    const got = (await one(["x:Account/get", { ids: ["b"], properties: ["aliases", "quotas"] }, "g"]))
      .list[0];
    expect(got).toEqual({
      id: "b",
      aliases: { "0": { name: "intel", domainId: "b", enabled: true, description: null } },
      quotas: { maxDiskQuota: 1024 },
    });
    const session = await fetch(`${s.url}/jmap/session`, {
      headers: {
        authorization: `Basic ${Buffer.from("ti@example.net:Velvet-Harbor-71-Quince").toString("base64")}`,
      },
    });
    expect(session.status).toBe(200);
  });

  it("refuses to destroy a domain that accounts or DKIM keys still use, and destroys accounts with their mail", async () => {
    await domain("example.net");
    await one(["x:Domain/set", { create: { d: { name: "example.org" } } }, "0"]);
    await user({ name: "ti", domainId: "b" });
    s.deliver("ti@example.net", 100);
    const refused = await one(["x:Domain/set", { destroy: ["b", "c"] }, "0"]);
    expect(refused.notDestroyed.b).toEqual({
      type: "objectIsLinked",
      objectId: { object: "Domain", id: "b" },
      linkedObjects: [{ object: "Account", id: "b" }],
    });
    expect(refused.notDestroyed.c.linkedObjects.map((o: { object: string }) => o.object)).toEqual([
      "DkimSignature",
      "DkimSignature",
    ]);
    expect(await one(["x:Account/set", { destroy: ["b"] }, "0"])).toEqual({
      accountId: "d333333",
      destroyed: ["b"],
    });
    expect((await one(["x:Account/set", { destroy: ["b"] }, "0"])).notDestroyed.b).toEqual({
      type: "notFound",
    });
    expect(s.counters.destroyed).toBe(1);
  });

  it("queries with AND filters only, newest first unless sorted, and resolves references", async () => {
    const [, , created] = await calls(
      [
        "x:Domain/set",
        { create: { a: { name: "a.example.net", dkimManagement: { "@type": "Manual" } } } },
        "0",
      ],
      [
        "x:Domain/set",
        { create: { b: { name: "b.example.net", dkimManagement: { "@type": "Manual" } } } },
        "1",
      ],
      ["x:Account/set", { create: { u: { "@type": "User", name: "ti", domainId: "#b" } } }, "2"],
    );
    expect(created[1].created.u.id).toBe("b");
    expect((await one(["x:Domain/query", {}, "q"])).ids).toEqual(["c", "b"]);
    expect(
      await one([
        "x:Domain/query",
        { sort: [{ property: "name", isAscending: true }], calculateTotal: true },
        "q",
      ]),
    ).toMatchObject({ ids: ["b", "c"], total: 2 });
    expect(await calls(["x:Domain/query", { filter: { operator: "OR", conditions: [] } }, "q"])).toEqual([
      ["error", { type: "unsupportedFilter", description: "Only AND is supported in filters" }, "q"],
    ]);
    expect((await calls(["x:Account/query", { filter: { email: "ti@b.example.net" } }, "q"]))[0][0]).toBe(
      "error",
    );
    const [, got] = await calls(
      ["x:Domain/query", { filter: { name: "b.example.net" } }, "q"],
      [
        "x:Domain/get",
        { "#ids": { resultOf: "q", name: "x:Domain/query", path: "/ids" }, properties: ["name"] },
        "g",
      ],
    );
    expect(got[1].list).toEqual([{ id: "c", name: "b.example.net" }]);
  });
});
