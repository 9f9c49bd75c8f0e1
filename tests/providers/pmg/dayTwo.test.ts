/**
 * Day-2 operations on PMG through whole engine operations (tests/providers/engine.ts, Stack):
 * an endpoint change deletes nothing it adopted, a refresh after a certificate renewal names the
 * fix, and the provider follows config changes.
 */
import { serializeProviders } from "../../harness/serialize";
import { startPmgServer, type PmgTestServer } from "../../servers/pmg/server";
import { Stack, type Declared } from "../engine";
import { forward, type Forwarder } from "../forwarder";

// Each engine operation starts its own provider host (5 to 20 s on a loaded 2-core machine), and a
// test here runs up to four operations.
jest.setTimeout(300_000);

let texts: Record<string, string>;
let pmg: PmgTestServer;
beforeAll(async () => {
  texts = await serializeProviders("tests/providers/shims.ts");
});
beforeEach(async () => {
  pmg = await startPmgServer({ authFailureDelayMs: 20 });
});
afterEach(() => pmg.close());

const SECRET = ["homelab-mail:pmgPassword"];

function config(server: PmgTestServer, endpoint: string) {
  return {
    "homelab-mail:pmg": JSON.stringify({
      endpoint,
      username: server.username,
      tlsFingerprint: server.fingerprint,
    }),
    "homelab-mail:pmgPassword": server.password,
  };
}

/** The mission's PMG objects, all through `endpoint`. */
function program(endpoint: string): Record<string, Declared> {
  return {
    lan: { kind: "pmg:PmgTrustedNetwork", inputs: { endpoint, cidr: "192.0.2.0/24", comment: "lab" } },
    relay: {
      kind: "pmg:PmgRelayDomain",
      inputs: { endpoint, domain: "example.net", comment: "CTI service domain" },
    },
    transport: {
      kind: "pmg:PmgTransport",
      inputs: { endpoint, domain: "example.net", host: "192.0.2.20", port: 25 },
    },
    dkimDomain: {
      kind: "pmg:PmgDkimDomain",
      inputs: { endpoint, domain: "example.net", comment: "CTI domain" },
    },
    selector: { kind: "pmg:PmgDkimSelector", inputs: { endpoint, selector: "pmg2026", keySize: 2048 } },
    smarthost: { kind: "pmg:PmgSmarthost", inputs: { endpoint, host: "smtp.gmail.com", port: 587 } },
  };
}

const deletes = () =>
  Object.entries(pmg.counters.requestsByPath)
    .filter(([k]) => k.startsWith("DELETE "))
    .reduce((n, [, c]) => n + c, 0);
/** PUTs that unset keys (`delete=`) are deletes too: counted by what is left set. */
function objects() {
  return {
    networks: [...pmg.state.mynetworks.keys()],
    domains: [...pmg.state.domains.keys()],
    transports: [...pmg.state.transport.keys()],
    dkimDomains: [...pmg.state.dkimDomains.keys()],
    dkimKeys: [...pmg.state.dkimKeys.entries()],
    conf: pmg.files().pmgConf,
  };
}

describe("an endpoint change on PMG", () => {
  let proxy: Forwarder | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it.each([
    ["IP to hostname", () => `https://localhost:${pmg.port}`],
    ["another port", async () => `https://127.0.0.1:${(proxy = await forward(pmg.port)).port}`],
  ])("%s: every resource replaced, nothing deleted on the server", async (_what, newEndpoint) => {
    const stack = new Stack(texts, SECRET);
    const first = `https://127.0.0.1:${pmg.port}`;
    await stack.up(config(pmg, first), program(first));
    const before = objects();
    expect(before.domains).toEqual(["example.net"]);
    expect(before.conf).toMatch(/smarthost smtp\.gmail\.com/);
    pmg.resetCounters();

    const second = await newEndpoint();
    const steps = await stack.up(config(pmg, second), program(second));
    expect(stack.providerStep).toBe("update");
    expect(Object.values(steps)).toEqual(Object.keys(program(second)).map(() => "replace"));
    expect(deletes()).toBe(0);
    expect(objects()).toEqual(before);
    expect([...stack.resources.values()].map((r) => r.state.outputs.endpoint)).toEqual(
      Object.keys(program(second)).map(() => second),
    );

    // Converged: the next `up` through the new endpoint changes nothing.
    const again = await stack.up(config(pmg, second), program(second));
    expect(stack.providerStep).toBe("same");
    expect(Object.values(again)).toEqual(Object.keys(program(second)).map(() => "same"));
  });

  it("still deletes what the program no longer declares, and what a replacement did not adopt", async () => {
    const stack = new Stack(texts, SECRET);
    const endpoint = `https://127.0.0.1:${pmg.port}`;
    await stack.up(config(pmg, endpoint), program(endpoint));
    const { relay: _relay, ...rest } = program(endpoint);
    // A new key is a replacement whose create does not claim the old object: the old one goes.
    rest.lan = {
      kind: "pmg:PmgTrustedNetwork",
      inputs: { endpoint, cidr: "198.51.100.0/24", comment: "lab" },
    };
    const steps = await stack.up(config(pmg, endpoint), rest);
    expect(steps).toMatchObject({ relay: "delete", lan: "replace" });
    expect(objects().domains).toEqual([]);
    expect(objects().networks).toEqual(["198.51.100.0/24"]);
  });
});

describe("refresh and destroy after PMG's password was rotated", () => {
  it("fail without the program, naming `--run-program`; pass with it", async () => {
    const stack = new Stack(texts, SECRET);
    const endpoint = `https://127.0.0.1:${pmg.port}`;
    await stack.up(config(pmg, endpoint), program(endpoint));
    // The same gateway on the same address, its root password rotated (the stand-in keeps its certificate).
    const port = pmg.port;
    await pmg.close();
    pmg = await startPmgServer({ authFailureDelayMs: 20, port });
    const renewed = config(pmg, endpoint);

    await expect(stack.refresh()).rejects.toThrow(
      /failed \(401\)[\s\S]*run `pulumi refresh --run-program`[\s\S]*PULUMI_RUN_PROGRAM=true/,
    );
    await expect(stack.destroy()).rejects.toThrow(/run `pulumi destroy --run-program`/);
    // With the program, the provider has the new password (the restarted stand-in is empty).
    expect((await stack.refresh({ runProgram: renewed })).sort()).toEqual(
      Object.keys(program(endpoint)).sort(),
    );
  });
});
