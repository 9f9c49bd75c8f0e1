import { KIND } from "../../../providers/unifi/dnsRecord";
import type { State } from "../engine";
import { startUnifiBed, type UnifiBed } from "./bed";

let bed: UnifiBed;
beforeAll(async () => {
  bed = await startUnifiBed([{ version: "10.1.78" }]);
});
afterAll(() => bed.close());

describe("UnifiDnsRecord's check, diff and configuration", () => {
  const unifi = () => bed.consoles[0];
  const endpoint = () => unifi().url;

  it("rejects bad input naming each property, before any request", async () => {
    const before = unifi().counters.requests;
    const bad = {
      endpoint: "http://192.0.2.1",
      site: "my site",
      name: "bad name",
      type: "MX",
      value: "x",
      ttl: -1,
      enabled: "yes",
      comment: "",
    };
    await expect(bed.engine.check(KIND, bad)).rejects.toMatchObject({
      failures: ["endpoint", "site", "name", "type", "ttl", "enabled", "comment"].map((property) => ({
        property,
        reason: expect.any(String),
      })),
    });
    await expect(
      bed.engine.check(KIND, {
        endpoint: endpoint(),
        name: "pmg.lab.local",
        type: "A",
        value: "pmg.lab.local",
      }),
    ).rejects.toMatchObject({
      failures: [{ property: "value", reason: expect.stringMatching(/IPv4/) }],
    });
    await expect(
      bed.engine.check(KIND, {
        endpoint: endpoint(),
        name: "a.lab.local",
        type: "CNAME",
        value: "A.lab.local.",
      }),
    ).rejects.toMatchObject({
      failures: [{ property: "value", reason: "must not be the record's own name" }],
    });
    expect(unifi().counters.requests).toBe(before);
  });

  it("normalizes in check and tolerates preview's unknown values", async () => {
    const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const inputs = await bed.engine.check(KIND, {
      endpoint: endpoint(),
      name: "Mail.Lab.Local",
      type: "AAAA",
      value: "2001:DB8:0:0::20",
    });
    expect(inputs).toMatchObject({
      name: "mail.lab.local",
      value: "2001:db8::20",
      site: "default",
      enabled: true,
    });
    expect(
      await bed.engine.check(KIND, { endpoint: endpoint(), name: UNKNOWN, type: "A", value: UNKNOWN }),
    ).toMatchObject({ name: UNKNOWN });

    const olds: State["outputs"] = { ...inputs, ttl: 300, api: "integration", recordId: "x" };
    expect(await bed.engine.host.diff("id", olds, { ...inputs })).toMatchObject({ changes: "none" });
    expect(await bed.engine.host.diff("id", olds, { ...inputs, ttl: 600 })).toMatchObject({
      changes: "some",
      replaces: [],
    });
    expect(await bed.engine.host.diff("id", olds, { ...inputs, name: UNKNOWN })).toMatchObject({
      changes: "some",
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
    expect(
      await bed.engine.host.diff("id", olds, { ...inputs, type: "CNAME", value: "pmg.lab.local" }),
    ).toMatchObject({ replaces: ["type"], deleteBeforeReplace: true });
  });

  it("detects the console's API once per process, and keeps the key out of outputs and logs", async () => {
    const a = await bed.engine.up(KIND, {
      endpoint: endpoint(),
      name: "pmg.lab.local",
      type: "A",
      value: "192.0.2.10",
    });
    const b = await bed.engine.up(KIND, {
      endpoint: endpoint(),
      name: "mail.lab.local",
      type: "A",
      value: "192.0.2.20",
    });
    await bed.engine.refresh(a.state);
    await bed.engine.destroy(a.state);
    await bed.engine.destroy(b.state);
    expect(unifi().counters.requestsByRoute["GET /integration/info"]).toBe(1);
    expect(unifi().counters.loginAttempts).toBe(0);
    expect(JSON.stringify([a.state, b.state])).not.toContain(bed.apiKey);
    expect(bed.engine.host.logs.join("\n")).not.toContain(bed.apiKey);
  });

  it("names homelab-mail:unifi.site when the console has no such site", async () => {
    await expect(
      bed.engine.up(KIND, {
        endpoint: endpoint(),
        site: "branch",
        name: "pmg.lab.local",
        type: "A",
        value: "192.0.2.10",
      }),
    ).rejects.toThrow(/no site "branch" \(sites: default \(Default\)\); set homelab-mail:unifi\.site/);
  });

  it("fails every call with configure's message when the key is missing", async () => {
    const engine = await bed.engineWith({ "homelab-mail:unifiApiKey": "" });
    await expect(
      engine.up(KIND, { endpoint: endpoint(), name: "pmg.lab.local", type: "A", value: "192.0.2.10" }),
    ).rejects.toThrow(/homelab-mail:unifiApiKey is not set/);
  });
});
