/**
 * Stand-in behaviours read from Stalwart's source (issue 16, item 9), each test citing the line it
 * follows (stalwartlabs/stalwart; v0.15.5 = 9aecfc1d, HEAD = d72608f3).
 */
import { hashPassword } from "../../../providers/stalwart/passwords";
import { blank } from "./rest/directory";
import { startStalwartServer, type StalwartTestServer } from "./server";

const servers: StalwartTestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
async function serve(opts: Parameters<typeof startStalwartServer>[0]) {
  const s = await startStalwartServer(opts);
  servers.push(s);
  return s;
}
const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;

async function call(
  s: StalwartTestServer,
  method: string,
  path: string,
  authorization: string,
  body?: unknown,
) {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}
const OAUTH = { type: "code", client_id: "webadmin", redirect_uri: "stalwart://auth" };

describe("Stalwart stand-in conformance (issue 16, item 9)", () => {
  it("POST /api/oauth: 0.9 sends is_admin, 0.10 permissions without version, 0.11+ version (crates/jmap/src/auth/oauth/auth.rs v0.9.4:91-97, v0.10.7:134-140, v0.11.0:134-141)", async () => {
    const data = async (version: string) => {
      const s = await serve({ api: "rest", version });
      return (await call(s, "POST", "/api/oauth", basic(s.username, s.password), OAUTH)).body?.data as Record<
        string,
        unknown
      >;
    };
    const v9 = await data("0.9.4");
    expect(Object.keys(v9).sort()).toEqual(["code", "is_admin", "is_enterprise"]);
    const v10 = await data("0.10.7");
    expect(Object.keys(v10).sort()).toEqual(["code", "isEnterprise", "permissions"]);
    expect((await data("0.15.5")).version).toBe("0.15.5");
  });

  it("0.15 decodes Bearer api_… only on /api (allow_api_access: crates/http/src/auth/authenticate.rs:162-171, request.rs:392 at v0.15.5)", async () => {
    const s = await serve({ api: "rest" });
    const bearer = `Bearer ${s.apiKey}`;
    expect((await call(s, "GET", "/api/principal?limit=1", bearer)).status).toBe(200);
    expect((await call(s, "GET", "/jmap/session", bearer)).status).toBe(401);
    expect((await call(s, "GET", "/jmap/session", basic(s.username, s.password))).status).toBe(200);
  });

  it("0.15 checks a permission per principal type, and a role is granted only by a caller holding all of its permissions (crates/http/src/management/principal.rs:88-98, 136-160 at v0.15.5)", async () => {
    const s = await serve({ api: "rest" });
    const bot = blank(s.rest.newId(), "individual", "bot");
    bot.secrets = [hashPassword("Bot-Secret-Granite-42")];
    bot.enabledPermissions = ["authenticate", "individual-create", "individual-get", "domain-get"];
    s.rest.principals.set(bot.id, bot);
    const auth = basic("bot", "Bot-Secret-Granite-42");
    const admin = basic(s.username, s.password);
    expect(
      (await call(s, "POST", "/api/principal", admin, { type: "domain", name: "example.net" })).status,
    ).toBe(200);

    // No domain-create: 403 before anything else.
    const domain = await call(s, "POST", "/api/principal", auth, { type: "domain", name: "example.org" });
    expect(domain.status).toBe(403);
    const account = { type: "individual", name: "noreply", emails: ["noreply@example.net"] };
    const granted = await call(s, "POST", "/api/principal", auth, { ...account, roles: ["user"] });
    expect(granted).toEqual({
      status: 200,
      body: { error: "other", details: "Invalid role", reason: 'Your account cannot grant the "user" role' },
    });
    expect(s.rest.byName("noreply")).toBeUndefined();
    // Without a role to grant, the same caller may create it.
    expect((await call(s, "POST", "/api/principal", auth, account)).body).toHaveProperty("data");
  });

  it("0.16.18 refuses a domain named like another domain's alias: primaryKeyViolation on name (crates/jmap/src/registry/mapping/domain.rs:64-78)", async () => {
    const s = await serve({ api: "jmap" });
    const admin = basic(s.username, s.password);
    const set = (create: Record<string, unknown>) =>
      call(s, "POST", "/jmap", admin, {
        using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"],
        methodCalls: [["x:Domain/set", { create }, "s"]],
      });
    await set({ a: { name: "example.net", aliases: { "example.org": true } } });
    const r = await set({ b: { name: "example.org" } });
    const args = (r.body?.methodResponses as [string, Record<string, unknown>, string][])[0][1];
    expect(args.notCreated).toEqual({
      b: { type: "primaryKeyViolation", properties: ["name"], objectId: { object: "Domain", id: "b" } },
    });
  });

  it("0.16 checks sys<Object><Op> per method, and lets a caller grant only permissions it holds (crates/common/src/auth/permissions.rs:107-159; crates/jmap/src/registry/mapping/principal.rs:257-263, 490-507)", async () => {
    const s = await serve({ api: "jmap" });
    const jmap = (authorization: string, calls: unknown[]) =>
      call(s, "POST", "/jmap", authorization, {
        using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"],
        methodCalls: calls,
      }).then((r) => r.body?.methodResponses as [string, Record<string, unknown>, string][]);
    const admin = basic(s.username, s.password);
    await jmap(admin, [
      ["x:Domain/set", { create: { d: { name: "example.net" } } }, "d"],
      ["x:Account/set", { create: { bot: { ...BOT, domainId: "#d" } } }, "a"],
    ]);
    const bot = basic("bot@example.net", "Bot-Secret-Granite-42");
    const [domain] = await jmap(bot, [["x:Domain/set", { create: { x: { name: "example.org" } } }, "s"]]);
    expect(domain).toEqual(["error", { type: "forbidden", description: expect.any(String) as string }, "s"]);
    const [account] = await jmap(bot, [
      [
        "x:Account/set",
        { create: { n: { "@type": "User", name: "noreply", domainId: "b", roles: { "@type": "User" } } } },
        "s",
      ],
    ]);
    expect(account[1].notCreated).toEqual({
      n: {
        type: "forbidden",
        description:
          "You are not authorized to grant permissions: emailSend, emailReceive, imapAuthenticate, jmapEmailGet",
      },
    });
  });
});

/** A 0.16 account that may manage accounts but holds none of the User role's permissions. */
const BOT = {
  "@type": "User",
  name: "bot",
  credentials: { "0": { "@type": "Password", secret: "Bot-Secret-Granite-42" } },
  roles: { "@type": "Custom", roleIds: {} },
  permissions: {
    "@type": "Merge",
    enabledPermissions: {
      authenticate: true,
      sysAccountCreate: true,
      sysAccountGet: true,
      sysAccountQuery: true,
      sysDomainGet: true,
      sysDomainQuery: true,
    },
    disabledPermissions: {},
  },
};
