/**
 * The guide's homelab on stand-ins (PMG, Stalwart 0.15 REST, UniFi), each seeded from
 * tests/fixtures/guide, the program's registrations for the guide config (mock runtime), and a
 * provider host configured as `pulumi up` would configure it. The host-file and Cloudflare parts
 * of the chain are other suites'.
 */
import { startProviderHost, type ProviderHost } from "../harness/providerHost";
import { serializeProviders } from "../harness/serialize";
import { runProgram, type Registered } from "../components/mocks";
import { Engine } from "../providers/engine";
import { startPmgServer, type PmgTestServer } from "../servers/pmg/server";
import { startStalwartServer, type StalwartTestServer } from "../servers/stalwart/server";
import { startUnifiServer, type UnifiTestServer } from "../servers/unifi/server";
import { guideConfigAt, guideSecrets } from "../fixtures/guide/config";
import { seedGuidePmg } from "../fixtures/guide/pmg";
import { seedGuideStalwart } from "../fixtures/guide/stalwart";
import { seedGuideUnifi } from "../fixtures/guide/unifi";

/** The systems this bed stands in for: every resource kind of theirs goes through the provider host. */
export const SYSTEMS = ["pmg", "stalwart", "unifi"];

export interface GuideBed {
  readonly pmg: PmgTestServer;
  readonly stalwart: StalwartTestServer;
  readonly unifi: UnifiTestServer;
  /** The stack config (prefix stripped), pointing at the stand-ins. */
  readonly config: Record<string, unknown>;
  /** Stack secrets by key, with the stand-ins' credentials. */
  readonly secrets: Record<string, string>;
  /** What the program registers for `config`, of the SYSTEMS' kinds, in registration order. */
  registered(
    config?: Record<string, unknown>,
  ): Promise<{ kind: string; name: string; inputs: Record<string, unknown> }[]>;
  /** A provider host configured with `config` (and adoptExisting when asked). */
  engine(config?: Record<string, unknown>): Promise<Engine>;
  close(): Promise<void>;
}

let texts: Promise<Record<string, string>> | undefined;

export async function startGuideBed(opts: { pmgVersion?: 7 | 8 | 9 } = {}): Promise<GuideBed> {
  texts ??= serializeProviders("tests/providers/shims.ts");
  const [pmg, stalwart, unifi] = await Promise.all([
    startPmgServer({ version: opts.pmgVersion ?? 9, authFailureDelayMs: 20 }),
    startStalwartServer({ api: "rest" }),
    startUnifiServer(),
  ]);
  seedGuidePmg(pmg.state);
  seedGuideStalwart(stalwart);
  seedGuideUnifi(unifi.store);
  const config = guideConfigAt({
    pmg: { endpoint: `https://127.0.0.1:${pmg.port}`, fingerprint: pmg.fingerprint },
    stalwart: { endpoint: stalwart.url },
    unifi: { endpoint: unifi.url, fingerprint: unifi.fingerprint },
  });
  const secrets = {
    ...guideSecrets(),
    pmgPassword: pmg.password,
    stalwartPassword: stalwart.password,
    unifiApiKey: unifi.apiKey,
  };
  const hosts: ProviderHost[] = [];
  return {
    pmg,
    stalwart,
    unifi,
    config,
    secrets,
    async registered(c = config) {
      const all: Registered[] = await runProgram(c, secrets);
      return all.flatMap((r) => {
        const m = /^pulumi-nodejs:dynamic\/(\w+):(\w+)$/.exec(r.type);
        if (!m || !SYSTEMS.includes(m[1])) return [];
        const inputs = Object.fromEntries(
          Object.entries(r.inputs).filter(([k, v]) => k !== "__provider" && v !== undefined),
        );
        return [{ kind: `${m[1]}:${m[2]}`, name: r.name, inputs }];
      });
    },
    async engine(c = config) {
      const host = await startProviderHost();
      hosts.push(host);
      // The host files' block is another suite's: without pmg.ssh and fetchmail their provider is unconfigured.
      const { ssh: _ssh, ...pmgBlock } = c.pmg as Record<string, unknown>;
      const stack: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...c, pmg: pmgBlock })) {
        if (k === "fetchmail") continue;
        stack[`homelab-mail:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
      }
      const secretKeys = ["pmgPassword", "stalwartPassword", "unifiApiKey", "stalwartAccountPasswords"];
      for (const k of secretKeys) stack[`homelab-mail:${k}`] = secrets[k as keyof typeof secrets];
      await host.configure(stack, { secretKeys: secretKeys.map((k) => `homelab-mail:${k}`) });
      return new Engine(host, await texts!);
    },
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
      await Promise.all([pmg.close(), stalwart.close(), unifi.close()]);
    },
  };
}

/** Requests by HTTP method, from a stand-in's per-route counters ("PUT /config/mail": 1, ...). */
export function byMethod(requestsByRoute: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [route, n] of Object.entries(requestsByRoute)) {
    const method = route.split(" ")[0];
    out[method] = (out[method] ?? 0) + n;
  }
  return out;
}

/** Logins: a POST that changes nothing on the system. */
const LOGIN = /^POST \/(access\/ticket|api\/oauth|api\/auth\/login)/;

/** The routes other than GET and logins, with their counts: what changed something. */
export function writes(requestsByRoute: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(requestsByRoute).filter(([r]) => !r.startsWith("GET ") && !LOGIN.test(r)),
  );
}
