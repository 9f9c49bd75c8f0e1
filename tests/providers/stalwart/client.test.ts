/**
 * The Stalwart client against the stand-in, in process: generation detection, auth, retries, and
 * errors that keep Stalwart's own kind and details but never a credential.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "../../../providers/stalwart/client";
import { StalwartApiError, StalwartVersionError } from "../../../providers/stalwart/errors";
import type { PrincipalSpec } from "../../../providers/stalwart/model";
import { patchActions, record } from "../../../providers/stalwart/rest";
import { StalwartTransport } from "../../../providers/stalwart/transport";
import {
  startStalwartServer,
  type StalwartServerOptions,
  type StalwartTestServer,
} from "../../servers/stalwart/server";

const FAST = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };
const SPEC = { emails: [], description: "", roles: [], quota: 0, memberOf: [] };
const domain = (name: string): PrincipalSpec => ({ ...SPEC, type: "domain", name });

const servers: StalwartTestServer[] = [];
const transports: StalwartTransport[] = [];
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(opts: StalwartServerOptions) {
  const server = await startStalwartServer(opts);
  servers.push(server);
  const t = new StalwartTransport({
    endpoint: server.url,
    auth: { username: server.username, password: server.password },
    retry: FAST,
  });
  transports.push(t);
  return { server, t };
}

describe("connect", () => {
  it("detects 0.10-0.15 from the anonymous 401, and reads the version the webadmin reads", async () => {
    const { server, t } = await serve({ api: "rest" });
    const api = await connect(t);
    expect([api.generation, api.version]).toEqual(["rest", "0.15.5"]);
    expect(server.counters.requestsByRoute["GET /api/principal"]).toBe(1);
  });

  it("detects 0.16+ from the anonymous 404, and confirms urn:stalwart:jmap in the session", async () => {
    const { t } = await serve({ api: "jmap" });
    expect((await connect(t)).generation).toBe("jmap");
  });

  it("accepts 0.10, which reports no version, and refuses a server older than 0.10", async () => {
    expect((await connect((await serve({ api: "rest", version: "0.10.7" })).t)).version).toBeUndefined();
    await expect(connect((await serve({ api: "rest", version: "0.9.4" })).t)).rejects.toThrow(
      StalwartVersionError,
    );
  });

  it("fails clearly on something that is not Stalwart", async () => {
    const other = http.createServer((_req, res) => res.writeHead(302, { location: "/login" }).end());
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    const t = new StalwartTransport({
      endpoint: `http://127.0.0.1:${(other.address() as AddressInfo).port}`,
      auth: { username: "a", password: "b" },
      retry: FAST,
    });
    try {
      await expect(connect(t)).rejects.toThrow(
        /answered 302 redirecting to http:\/\/127\.0\.0\.1:\d+\/login; .*homelab-mail:stalwart\.endpoint/,
      );
    } finally {
      await t.close();
      await new Promise((r) => other.close(r));
    }
  });

  it.each(["rest", "jmap"] as const)("authenticates with an API key on %s", async (api) => {
    const { server } = await serve({ api });
    const t = new StalwartTransport({ endpoint: server.url, auth: { apiKey: server.apiKey }, retry: FAST });
    transports.push(t);
    const client = await connect(t);
    expect((await client.create(domain("example.net"))).name).toBe("example.net");
  });
});

describe("StalwartTransport and the APIs behind it", () => {
  it.each(["rest", "jmap"] as const)("retries reads on 503 and 429 but never a create (%s)", async (api) => {
    const { server, t } = await serve({ api });
    const client = await connect(t);
    server.failNext(1, 503);
    server.failNext(1, 429);
    expect(await client.find({ type: "domain", name: "example.net", emails: [] })).toBeUndefined();
    expect(t.counters.retries).toBe(2);
    server.failNext(1, 503);
    await expect(client.create(domain("example.net"))).rejects.toMatchObject({
      status: 503,
      kind: "Service Unavailable",
    });
    expect(t.counters.retries).toBe(2);
  });

  it("turns an HTTP 200 error body into an error with Stalwart's kind and details", async () => {
    const { t } = await serve({ api: "rest" });
    const client = await connect(t);
    await client.create(domain("example.net"));
    const err = await client.create(domain("EXAMPLE.net")).catch((e) => e);
    expect(err).toBeInstanceOf(StalwartApiError);
    expect(err).toMatchObject({
      status: 200,
      kind: "fieldAlreadyExists",
      details: { field: "name", value: "example.net" },
    });
  });

  it("keeps JMAP SetError types and descriptions", async () => {
    const { t } = await serve({ api: "jmap" });
    const client = await connect(t);
    await expect(client.create(domain("example.invalid"))).rejects.toMatchObject({
      kind: "invalidPatch",
      message: expect.stringMatching(/Invalid domain name \(name\)/),
    });
    await client.create(domain("example.net"));
    const weak = {
      ...SPEC,
      type: "individual" as const,
      name: "ti",
      emails: ["ti@example.net"],
      roles: ["user"],
    };
    await expect(client.create(weak, "password1")).rejects.toMatchObject({
      kind: "invalidProperties",
      message: expect.stringMatching(/Password is too weak/),
    });
  });

  it.each(["rest", "jmap"] as const)(
    "says which config keys to check when the credentials stop working, never the password (%s)",
    async (api) => {
      const { server, t } = await serve({ api });
      const client = await connect(t);
      const password = server.password;
      server.expireCredentials();
      const err = (await client
        .find({ type: "domain", name: "example.net", emails: [] })
        .catch((e) => e)) as Error;
      expect(err.message).toMatch(
        /failed \(401\).*homelab-mail:stalwart\.username \(admin\) and the secret homelab-mail:stalwartPassword/,
      );
      expect(err.message + JSON.stringify(err)).not.toContain(password);
    },
  );
});

describe("patchActions", () => {
  const current = record({
    id: 3,
    type: "individual",
    name: "noreply",
    secrets: ["otpauth://totp/x", "$6$old$hash", "$app$YXBw$h"],
    emails: ["noreply@example.net", "b@example.net"],
    roles: ["user"],
    memberOf: ["staff"],
  });

  it("sends only what changed, memberships and aliases item by item, never `set` on a shared membership", () => {
    const want = {
      ...current,
      emails: ["noreply@example.net", "c@example.net"],
      roles: ["admin", "user"],
      memberOf: [],
    };
    expect(patchActions(current, want)).toEqual([
      { action: "removeItem", field: "emails", value: "b@example.net" },
      { action: "addItem", field: "emails", value: "c@example.net" },
      { action: "addItem", field: "roles", value: "admin" },
      { action: "removeItem", field: "memberOf", value: "staff" },
    ]);
  });

  it("replaces the whole address list when the primary changes, and the password by removing the exact stored string", () => {
    expect(current.storedPassword).toBe("$6$old$hash");
    const want = { ...current, name: "no-reply", emails: ["no-reply@example.net", "b@example.net"] };
    expect(patchActions(current, want, "$6$new$hash")).toEqual([
      { action: "set", field: "name", value: "no-reply" },
      { action: "set", field: "emails", value: ["no-reply@example.net", "b@example.net"] },
      { action: "removeItem", field: "secrets", value: "$6$old$hash" },
      { action: "addItem", field: "secrets", value: "$6$new$hash" },
    ]);
  });
});
