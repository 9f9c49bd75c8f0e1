/**
 * Day-2 operations on UniFi through whole engine operations (tests/providers/engine.ts, Stack): a
 * console reached through a new URL keeps its records, and retiring the system (the block and its
 * key removed) converges in one `up` without deleting anything on the console.
 */
import { KIND } from "../../../providers/unifi/dnsRecord";
import { serializeProviders } from "../../harness/serialize";
import { startUnifiServer, type UnifiTestServer } from "../../servers/unifi/server";
import { Stack, type Declared } from "../engine";

// Each engine operation starts its own provider host (5 to 20 s on a loaded 2-core machine), and a
// test here runs up to four operations.
jest.setTimeout(300_000);

let texts: Record<string, string>;
let unifi: UnifiTestServer;
beforeAll(async () => {
  texts = await serializeProviders("tests/providers/unifi/shims.ts");
  unifi = await startUnifiServer({ version: "10.1.78" });
});
afterAll(() => unifi.close());
beforeEach(() => unifi.reset());

const SECRET = ["homelab-mail:unifiApiKey"];

function config(endpoint?: string): Record<string, string> {
  if (!endpoint) return {};
  return {
    "homelab-mail:unifi": JSON.stringify({ endpoint, tlsFingerprint: unifi.fingerprint }),
    "homelab-mail:unifiApiKey": unifi.apiKey,
  };
}

function program(endpoint: string): Record<string, Declared> {
  return {
    pmg: { kind: KIND, inputs: { endpoint, name: "pmg.lab.local", type: "A", value: "192.0.2.10" } },
    mail: { kind: KIND, inputs: { endpoint, name: "mail.lab.local", type: "A", value: "192.0.2.20" } },
  };
}

const records = () => unifi.store.records.map((r) => [r.key, r.value]).sort();
const deletes = () =>
  Object.entries(unifi.counters.requestsByRoute)
    .filter(([k]) => k.startsWith("DELETE "))
    .reduce((n, [, c]) => n + c, 0);

describe("UniFi day 2", () => {
  it("a new URL for the same console replaces the records in state and deletes none on the console", async () => {
    const stack = new Stack(texts, SECRET);
    await stack.up(config(unifi.url), program(unifi.url));
    const ids = [...stack.resources.values()].map((r) => r.state.outputs.recordId);
    unifi.resetCounters();

    const byName = unifi.url.replace("127.0.0.1", "localhost");
    const steps = await stack.up(config(byName), program(byName));
    expect(steps).toEqual({ pmg: "replace", mail: "replace" });
    expect(deletes()).toBe(0);
    expect(records()).toEqual([
      ["mail.lab.local", "192.0.2.20"],
      ["pmg.lab.local", "192.0.2.10"],
    ]);
    expect([...stack.resources.values()].map((r) => r.state.outputs.recordId)).toEqual(ids);
  });

  it("retiring UniFi (block and key removed): one `up` converges, the records stay on the console", async () => {
    const stack = new Stack(texts, SECRET);
    await stack.up(config(unifi.url), program(unifi.url));
    unifi.resetCounters();

    const steps = await stack.up(config(), {});
    expect(steps).toEqual({ pmg: "delete", mail: "delete" });
    expect(stack.resources.size).toBe(0);
    expect(deletes()).toBe(0);
    expect(records()).toHaveLength(2);
    // Nothing is left to fail: the next `up` is empty.
    expect(await stack.up(config(), {})).toEqual({});
  });

  it("removing only the records (the block kept) deletes them on the console", async () => {
    const stack = new Stack(texts, SECRET);
    await stack.up(config(unifi.url), program(unifi.url));
    const steps = await stack.up(config(unifi.url), {});
    expect(steps).toEqual({ pmg: "delete", mail: "delete" });
    expect(records()).toEqual([]);
  });
});
