/**
 * Stalwart 0.15 -> 0.16: state written against a 0.15 server, then the server migrated the way
 * upstream migrates it (tests/servers/stalwart/migrate.ts replays resources/scripts/migrate_v016.py's
 * rules on the 0.15 directory), then a fresh provider process (the next `pulumi refresh`/`up`).
 */
import { randomBytes } from "node:crypto";
import { startProviderHost, type ProviderHost } from "../../harness/providerHost";
import { serializeProviders } from "../../harness/serialize";
import { DomainKind } from "../../servers/stalwart/jmap/domain";
import { encodeId } from "../../servers/stalwart/jmap/ids";
import { migrateV016 } from "../../servers/stalwart/migrate";
import { startStalwartServer, type StalwartTestServer } from "../../servers/stalwart/server";
import { Engine, type State } from "../engine";
import { KIND } from "./bed";

const password = randomBytes(18).toString("base64url");
const hosts: ProviderHost[] = [];
const servers: StalwartTestServer[] = [];
let texts: Record<string, string>;

async function engineFor(endpoint: string, stalwart: Record<string, unknown> = {}): Promise<Engine> {
  const host = await startProviderHost();
  hosts.push(host);
  await host.configure(
    {
      "homelab-mail:stalwart": JSON.stringify({ endpoint, username: "admin", ...stalwart }),
      "homelab-mail:stalwartPassword": password,
    },
    { secretKeys: ["homelab-mail:stalwartPassword"] },
  );
  return new Engine(host, texts);
}

async function login(server: StalwartTestServer, user: string, secret: string): Promise<boolean> {
  const authorization = `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
  const res = await fetch(`${server.url}/jmap/session`, { headers: { authorization } });
  await res.text();
  return res.status === 200;
}

beforeAll(async () => {
  texts = await serializeProviders("tests/providers/shims.ts");
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await Promise.all(servers.map((s) => s.close()));
});

const SIEM = { type: "individual", name: "siem", emails: ["alerts@example.net", "misp@example.net"] };
const NOREPLY = {
  type: "individual",
  name: "noreply",
  emails: ["noreply@example.net", "noreply@example.org"],
};

/** A 0.15 server with two domains and two accounts, one renamed (formerNames) so its name is no address of it. */
async function migrated() {
  const old = await startStalwartServer({ api: "rest", password });
  servers.push(old);
  const endpoint = old.url;
  const before = await engineFor(endpoint);
  const states: Record<string, State> = {};
  for (const name of ["example.net", "example.org"])
    states[name] = (await before.up(KIND, { endpoint, type: "domain", name })).state;
  states.noreply = (await before.up(KIND, { endpoint, ...NOREPLY })).state;
  const first = (await before.up(KIND, { endpoint, ...SIEM, name: "misp-alerts" })).state;
  const renamed = await before.up(KIND, { endpoint, ...SIEM }, first);
  expect([renamed.step, old.rest.byName("siem")?.id]).toEqual(["update", Number(first.id)]);
  states.siem = renamed.state;
  old.deliver("siem", 4096);
  await old.close();

  // Same address, now 0.16 in normal mode after `stalwart-cli apply` of the converted export.
  const port = Number(new URL(endpoint).port);
  const server = await startStalwartServer({ api: "jmap", password, port });
  servers.push(server);
  const report = migrateV016(old.rest, server.jmap);
  return { endpoint, server, states, report, oldIds: { siem: Number(first.id) } };
}

describe("after the 0.15 -> 0.16 migration", () => {
  it("refresh finds an account under the name migrate_v016.py gives it, and the next up converges without primaryKeyViolation", async () => {
    const { endpoint, server, states, report, oldIds } = await migrated();
    // The script's rule, not the first address: no address of `siem` has the local part `siem`.
    expect(report.accounts.get("siem")).toBe("siem@example.net");
    expect(report.accounts.get("noreply")).toBe("noreply@example.net");

    const after = await engineFor(endpoint);
    const siem = await after.refresh(states.siem);
    expect(siem?.outputs).toMatchObject({
      api: "jmap",
      name: "siem",
      principalId: encodeId(oldIds.siem),
      emails: ["siem@example.net", "alerts@example.net", "misp@example.net"],
    });
    const noreply = await after.refresh(states.noreply);
    expect(noreply?.outputs).toMatchObject({ api: "jmap", emails: NOREPLY.emails });

    // The next up makes the declared first address the account's own (0.16 logs in with it).
    const up = await after.up(KIND, { endpoint, ...SIEM }, siem);
    expect(up.step).toBe("update");
    expect(up.state.outputs).toMatchObject({ emails: SIEM.emails, loginName: "alerts@example.net" });
    expect(server.jmap.accounts.size).toBe(2);
    // The password survived: the migration carried the 0.15 hash, and nothing re-set it.
    expect(await login(server, "alerts@example.net", String(states.siem.outputs.password))).toBe(true);
    expect((await after.up(KIND, { endpoint, ...SIEM }, up.state)).step).toBe("same");
    expect((await after.up(KIND, { endpoint, ...NOREPLY }, noreply)).step).toBe("same");
  });

  it("refuses to delete a migrated account while its usage counter is the migration's zero, until the recount is acknowledged", async () => {
    const { endpoint, server, states } = await migrated();
    const after = await engineFor(endpoint);
    // Straight from ≤0.15 state (no refresh), and after a refresh too: the mark stays.
    await expect(after.destroy(states.noreply)).rejects.toThrow(/Recalculate disk quotas/);
    const siem = (await after.refresh(states.siem))!;
    expect(siem.outputs.usageCountersReset).toBe(true);
    await expect(after.destroy(siem)).rejects.toThrow(/diskQuotasRecalculated/);
    expect(server.jmap.accounts.size).toBe(2);

    server.jmap.recalculateDiskQuotas();
    const acknowledged = await engineFor(endpoint, { diskQuotasRecalculated: true });
    await expect(acknowledged.destroy(siem)).rejects.toThrow(/holds 4096 bytes/);
    await acknowledged.destroy(states.noreply);
    expect([...server.jmap.accounts.values()].map((a) => a.name)).toEqual(["siem"]);
    expect((await acknowledged.refresh(siem))?.outputs.usageCountersReset).toBeUndefined();
  });

  it("sets migrated domains' DKIM management to Manual, and names Stalwart's own DKIM keys when they block a delete", async () => {
    const { endpoint, server, states } = await migrated();
    const after = await engineFor(endpoint);
    // Updates replace the stored record: look it up each time.
    const net = () => [...server.jmap.domains.values()].find((d) => d.name === "example.net")!;
    const id = net().id;
    // The script sends only name, description and logo (lines 874-903): Automatic, the default.
    expect(net().dkimManagement["@type"]).toBe("Automatic");
    const refreshed = (await after.refresh(states["example.net"]))!;
    expect(refreshed.outputs.dkimManagement).toBe("Automatic");
    const up = await after.up(KIND, { endpoint, type: "domain", name: "example.net" }, refreshed);
    expect([up.step, net().dkimManagement["@type"]]).toEqual(["update", "Manual"]);
    expect((await after.refresh(up.state))?.outputs.dkimManagement).toBe("Manual");
    expect((await after.up(KIND, { endpoint, type: "domain", name: "example.net" }, up.state)).step).toBe(
      "same",
    );

    server.jmap.accounts.clear();
    // The keys Automatic made stay after the switch to Manual, and block the destroy (objectIsLinked).
    await expect(after.destroy(up.state)).rejects.toThrow(
      /DKIM keys of its own.*DKIM signatures.*default domain/,
    );
    expect(server.jmap.domains.has(id)).toBe(true);
    net().dkimSignatures = 0;
    server.jmap.defaultDomainId = undefined;
    await after.destroy(up.state);
    expect(server.jmap.domains.has(id)).toBe(false);
  });

  it("adopts a hand-made 0.16 domain only when told to, and then makes its DKIM management Manual", async () => {
    const server = await startStalwartServer({ api: "jmap", password });
    servers.push(server);
    const endpoint = server.url;
    const id = server.jmap.newId("Domain");
    server.jmap.domains.set(
      id,
      DomainKind.build(server.jmap, { ...DomainKind.defaults(), name: "example.net" }, id),
    );
    const inputs = { endpoint, type: "domain", name: "example.net" };
    await expect((await engineFor(endpoint)).up(KIND, inputs)).rejects.toThrow(
      /DKIM management is Automatic/,
    );
    const adopt = await engineFor(endpoint, {});
    await adopt.host.configure(
      {
        "homelab-mail:stalwart": JSON.stringify({ endpoint, username: "admin" }),
        "homelab-mail:stalwartPassword": password,
        "homelab-mail:adoptExisting": "true",
      },
      { secretKeys: ["homelab-mail:stalwartPassword"] },
    );
    const { state } = await adopt.up(KIND, inputs);
    expect(state.id).toBe(encodeId(id));
    expect(server.jmap.domains.get(id)?.dkimManagement["@type"]).toBe("Manual");
  });
});
