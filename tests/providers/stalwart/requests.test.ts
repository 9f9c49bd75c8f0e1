/**
 * Requests per operation against the stand-ins (issue 15): a new object is one request, adoption
 * reads only after the server refused a create, and concurrent JMAP writes share requests.
 */
import { connect } from "../../../providers/stalwart/client";
import type { PrincipalSpec } from "../../../providers/stalwart/model";
import { StalwartTransport } from "../../../providers/stalwart/transport";
import { startStalwartServer, type StalwartTestServer } from "../../servers/stalwart/server";

const SPEC = { emails: [], description: "", roles: [], quota: 0, memberOf: [] };
const domain = (name: string): PrincipalSpec => ({ ...SPEC, type: "domain", name });
const account = (name: string, d = "example.net"): PrincipalSpec => ({
  ...SPEC,
  type: "individual",
  name,
  emails: [`${name}@${d}`],
  roles: ["user"],
});

const servers: StalwartTestServer[] = [];
const transports: StalwartTransport[] = [];
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function api(gen: "rest" | "jmap") {
  const server = await startStalwartServer({ api: gen });
  servers.push(server);
  const t = new StalwartTransport({
    endpoint: server.url,
    auth: { username: server.username, password: server.password },
  });
  transports.push(t);
  const a = await connect(t);
  return { server, a, requests: () => server.counters.requests };
}

describe.each(["rest", "jmap"] as const)("Stalwart %s requests", (gen) => {
  it("creates a new domain and account in one request each, with what it sent as the record", async () => {
    const { a, requests } = await api(gen);
    const before = requests();
    const d = await a.create(domain("example.net"));
    expect(requests() - before).toBe(1);
    const rec = await a.create(account("alice"), "Orbit-Lantern-58-Thistle");
    expect(requests() - before).toBe(2);
    expect(rec).toMatchObject({
      type: "individual",
      name: "alice",
      emails: ["alice@example.net"],
      roles: ["user"],
    });
    // What was returned is what the server reads back.
    const read = await a.find({
      type: "individual",
      name: "alice",
      emails: ["alice@example.net"],
      principalId: rec.principalId,
      api: gen,
    });
    expect({ ...read, storedPassword: undefined }).toEqual({ ...rec, storedPassword: undefined });
    expect(
      (
        await a.find({
          type: "domain",
          name: "example.net",
          emails: [],
          principalId: d.principalId,
          api: gen,
        })
      )?.principalId,
    ).toBe(d.principalId);
  });
});

describe("Stalwart JMAP batching against the stand-in", () => {
  it("creates 40 accounts at once in fewer requests than accounts, each with its own id", async () => {
    const { a, requests } = await api("jmap");
    await a.create(domain("example.net"));
    const before = requests();
    const recs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => a.create(account(`u${i}`), `Orbit-Lantern-58-${i}x`)),
    );
    expect(new Set(recs.map((r) => r.principalId)).size).toBe(40);
    expect(requests() - before).toBeLessThan(40);
    const found = await Promise.all(recs.map((r) => a.find({ ...r, api: "jmap" })));
    expect(found.map((f) => f?.name)).toEqual(recs.map((r) => r.name));
  });

  it("finds a domain id again when the cached one went stale (domain deleted and made again by hand)", async () => {
    const { server, a } = await api("jmap");
    await a.create(domain("example.org"));
    // By hand: the domain is deleted and created again, under a new id.
    const [[id]] = [...server.jmap.domains.entries()];
    const rec = server.jmap.domains.get(id)!;
    server.jmap.domains.delete(id);
    server.jmap.domains.set(id + 1000, { ...rec, id: id + 1000 });
    const before = server.counters.requests;
    const created = await a.create(account("bob", "example.org"), "Orbit-Lantern-58-Thistle");
    expect(created.emails).toEqual(["bob@example.org"]);
    // Refused for the stale id (invalidForeignKey, nothing written), looked up, sent again.
    expect(server.counters.requests - before).toBe(3);
  });
});
