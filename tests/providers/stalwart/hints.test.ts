/**
 * What the client says when Stalwart refuses (issue 16, item 9): the version gate, missing
 * permissions per API generation, a role the login may not grant, and a 0.16 domain that collides
 * with another domain's alias. In process, against the stand-in.
 */
import { connect } from "../../../providers/stalwart/client";
import { StalwartApiError, StalwartVersionError } from "../../../providers/stalwart/errors";
import type { PrincipalSpec } from "../../../providers/stalwart/model";
import { hashPassword } from "../../../providers/stalwart/passwords";
import { StalwartTransport } from "../../../providers/stalwart/transport";
import { AccountKind } from "../../servers/stalwart/jmap/account";
import { blank } from "../../servers/stalwart/rest/directory";
import {
  startStalwartServer,
  type StalwartServerOptions,
  type StalwartTestServer,
} from "../../servers/stalwart/server";

const servers: StalwartTestServer[] = [];
const transports: StalwartTransport[] = [];
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(opts: StalwartServerOptions) {
  const server = await startStalwartServer(opts);
  servers.push(server);
  return server;
}
function transport(server: StalwartTestServer, username = server.username, password = server.password) {
  const t = new StalwartTransport({
    endpoint: server.url,
    auth: { username, password },
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
  });
  transports.push(t);
  return t;
}
const SPEC = { emails: [], description: "", roles: [], quota: 0, memberOf: [] };
const domain = (name: string): PrincipalSpec => ({ ...SPEC, type: "domain", name });
const account: PrincipalSpec = {
  ...SPEC,
  type: "individual",
  name: "noreply",
  emails: ["noreply@example.net"],
  roles: ["user"],
};

it("refuses Stalwart 0.9 by its is_admin login answer, and takes 0.10, which sends no version", async () => {
  const old = connect(transport(await serve({ api: "rest", version: "0.9.4" })));
  await expect(old).rejects.toThrow(StalwartVersionError);
  await expect(old).rejects.toThrow(/0\.9 or older.*needs 0\.10/);
  const v10 = await connect(transport(await serve({ api: "rest", version: "0.10.7" })));
  expect([v10.generation, v10.version]).toEqual(["rest", undefined]);
});

it("names the 0.10-0.15 permissions (individual-*, domain-*) when a login lacks one, and says a role it cannot grant needs the admin role", async () => {
  const server = await serve({ api: "rest" });
  const bot = blank(server.rest.newId(), "individual", "bot");
  bot.secrets = [hashPassword("Bot-Secret-Granite-42")];
  bot.enabledPermissions = ["authenticate", "individual-create", "individual-get", "domain-get"];
  server.rest.principals.set(bot.id, bot);
  await (await connect(transport(server))).create(domain("example.net"));
  const api = await connect(transport(server, "bot", "Bot-Secret-Granite-42"));

  const denied = (await api.create(domain("example.org")).catch((e: unknown) => e)) as StalwartApiError;
  expect(denied.status).toBe(403);
  expect(denied.message).toMatch(/individual-create.*domain-create.*0\.10-0\.15/);
  expect(denied.message).not.toMatch(/sysAccount|principal-/);

  const grant = (await api
    .create(account, "Velvet-Harbor-71-Quince")
    .catch((e: unknown) => e)) as StalwartApiError;
  expect(grant.kind).toBe("other");
  expect(grant.message).toMatch(/cannot grant the "user" role.*every permission of the roles.*admin role/);
});

it("names the 0.16 permissions when a login lacks one", async () => {
  const server = await serve({ api: "jmap" });
  const admin = await connect(transport(server));
  await admin.create(domain("example.net"));
  await admin.create(account, "Velvet-Harbor-71-Quince");
  const user = await connect(transport(server, "noreply@example.net", "Velvet-Harbor-71-Quince"));
  const denied = (await user.create(domain("example.org")).catch((e: unknown) => e)) as StalwartApiError;
  expect(denied.kind).toBe("forbidden");
  expect(denied.message).toMatch(/sysDomainCreate.*0\.16/);
});

it("says a 0.16 role the login cannot grant needs the admin role", async () => {
  const server = await serve({ api: "jmap" });
  const admin = await connect(transport(server));
  await admin.create(domain("example.net"));
  // A login that may create accounts but holds none of the User role's permissions.
  const id = server.jmap.newId("Account");
  server.jmap.accounts.set(id, {
    ...AccountKind.build(
      server.jmap,
      {
        ...AccountKind.defaults(),
        "@type": "User",
        name: "bot",
        domainId: "b",
        credentials: { "0": { "@type": "Password", secret: "Bot-Secret-Granite-42" } },
        roles: { "@type": "Custom", roleIds: {} },
        permissions: {
          "@type": "Merge",
          enabledPermissions: {
            sysAccountCreate: true,
            sysDomainQuery: true,
            sysAccountGet: true,
            sysAccountQuery: true,
          },
        },
      },
      id,
    ),
  });
  const bot = await connect(transport(server, "bot@example.net", "Bot-Secret-Granite-42"));
  const err = (await bot
    .create(account, "Velvet-Harbor-71-Quince")
    .catch((e: unknown) => e)) as StalwartApiError;
  expect(err.kind).toBe("forbidden");
  expect(err.message).toMatch(
    /not authorized to grant permissions.*every permission of the roles.*admin role/,
  );
});

it("reports a 0.16 domain whose name is another domain's alias as that, not as an account conflict", async () => {
  const server = await serve({ api: "jmap" });
  const api = await connect(transport(server));
  await api.create(domain("example.net"));
  server.jmap.domains.get(1)!.aliases.push("example.org");
  const { adoptOrCreate } = await import("../../../providers/stalwart/lifecycle");
  const err = (await adoptOrCreate(
    api,
    { ...domain("example.org"), endpoint: server.url, allowMailboxDeletion: false },
    undefined,
    false,
  ).catch((e: unknown) => e)) as StalwartApiError;
  expect(err.kind).toBe("primaryKeyViolation");
  expect(err.message).toMatch(
    /domain b already has example\.org as its name or as one of its domain aliases/,
  );
  expect(err.message).not.toMatch(/belongs to another account/);
});
