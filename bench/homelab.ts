/**
 * The guide's whole homelab stack as one bench row per phase (issue 15, item 6): the real program
 * (index.ts) with the mission's stack config (tests/fixtures/guide/config.ts) deployed, refreshed
 * and destroyed the way tests/lab/deploy.ts deploys it. The program runs under Pulumi's mock
 * runtime and every dynamic resource it declares goes through Pulumi's own provider host with the
 * engine's steps (tests/providers/engine.ts); a fresh host per phase, configured with the stack
 * config before the clock starts, as each CLI run starts one.
 *
 * Cloudflare's Pulumi-provider resources (routing rules and routing DNS: not dynamic, so not the
 * host's) go to the Cloudflare stand-in through CloudflareMockEngine with the calls the real
 * provider makes, as tests/components and the lab do: their requests are in the Cloudflare counts,
 * their steps bound by the same parallelism, but they are not in `n` (dynamic resources only).
 *
 * Against in-process stand-ins for PMG, Stalwart (REST, the guide's 0.10-0.15), UniFi and
 * Cloudflare, each adding the bench's latency to every answer, and the PMG host test bed (Debian's
 * own sshd, tests/servers/pmghost), which adds none. The bed needs root; where it cannot start, the
 * stack is deployed without `pmg.ssh` (so without the PMG host's resources), no pmghost row is
 * made, and the log says why.
 */
import { closeCloudflareClient } from "../providers/cloudflare/settings";
import { CloudflareMockEngine } from "../tests/components/cloudflareMock";
import { guideConfigAt, guideSecrets } from "../tests/fixtures/guide/config";
import { deployProgram } from "../tests/lab/deploy";
import { startProviderHost } from "../tests/harness/providerHost";
import { Engine, type State } from "../tests/providers/engine";
import { PHASES, type Phase } from "./plan";
import { pool } from "./pool";
import { type HomelabSystem, type Row } from "./report";
import { peakMb, resetPeak } from "./rss";
import { HOMELAB_SYSTEMS, HomelabStandIns, type StandIn } from "./homelabStandIns";
import {
  Clock,
  floorOf,
  Gate,
  instrument,
  levels,
  systemOfKind,
  watchDependencies,
  type Managed,
} from "./homelabSteps";

export { HOMELAB_SYSTEMS, HomelabStandIns } from "./homelabStandIns";

const DYNAMIC = "pulumi-nodejs:dynamic/";
/** Kinds that hold no object of their own (PmgConfigSync runs `pmgconfig sync`; its delete does nothing). */
const OBJECTLESS = new Set(["pmghost:PmgConfigSync"]);

export interface HomelabOptions {
  /** Added by each HTTP stand-in to every answer. Default 20 ms. */
  readonly latencyMs?: number;
  readonly parallelism: number;
  /** `__provider` text per resource kind (serializeProviders("tests/providers/shims.ts")). */
  readonly texts: Promise<Record<string, string>>;
  readonly log?: (line: string) => void;
  /** Stand-ins to run against (latency set here); default: started and closed here. */
  readonly standIns?: HomelabStandIns;
  /** After each phase, before the next host starts: to look at the stand-ins (tests). */
  readonly afterPhase?: (phase: Phase) => void | Promise<void>;
}

export interface HomelabResult {
  /** One `homelab` row per phase, then one `homelab:<system>` row per system and phase. */
  readonly rows: Row[];
  /** Objects the program declared per system (what a census after deploy must find). */
  readonly declared: Record<StandIn, number>;
  /** Why there is no pmghost row, if there is none. */
  readonly skipped?: string;
}

export async function runHomelab(o: HomelabOptions): Promise<HomelabResult> {
  const latency = o.latencyMs ?? 20;
  const log = o.log ?? (() => undefined);
  const standIns = o.standIns ?? (await HomelabStandIns.start(latency));
  standIns.latencyMs = latency;
  if (standIns.skipped) log(`homelab: the PMG host is left out (pmghost skipped: ${standIns.skipped})`);
  try {
    return await run(o, standIns, latency, log);
  } finally {
    if (!o.standIns) await standIns.close();
  }
}

async function run(
  o: HomelabOptions,
  s: HomelabStandIns,
  latency: number,
  log: (line: string) => void,
): Promise<HomelabResult> {
  const texts = await o.texts;
  const kindOf = new Map(Object.entries(texts).map(([kind, text]) => [text, kind]));
  const { pmg, stalwart, unifi, cloudflare, pmghost } = s;
  const config = guideConfigAt({
    pmg: { endpoint: `https://127.0.0.1:${pmg.port}`, fingerprint: pmg.fingerprint },
    stalwart: { endpoint: stalwart.url },
    unifi: { endpoint: unifi.url, fingerprint: unifi.fingerprint },
  }) as Record<string, Record<string, unknown>>;
  config.pmg.username = pmg.username;
  config.stalwart.username = stalwart.username;
  const secrets: Record<string, string> = {
    ...guideSecrets(),
    "cloudflare:apiToken": cloudflare.apiToken,
    pmgPassword: pmg.password,
    stalwartPassword: stalwart.password,
    unifiApiKey: unifi.apiKey,
  };
  if (pmghost) {
    config.pmg.ssh = { host: pmghost.host, port: pmghost.port, user: pmghost.user, hostKey: pmghost.hostKey };
    secrets.pmgSshPrivateKey = pmghost.privateKey;
  } else {
    delete config.pmg.ssh;
    delete secrets.pmgSshPrivateKey;
  }
  // Cloudflare's own namespace (the provider's keys), as the lab's stack sets them.
  const raw = {
    "cloudflare:baseUrl": cloudflare.url,
    "homelab-mail:cloudflareTlsFingerprint": cloudflare.fingerprint,
  };
  const key = (k: string) => (k.includes(":") ? k : `homelab-mail:${k}`);
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...config, ...raw }))
    all[key(k)] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(secrets)) all[key(k)] = v;
  // The one step no API offers, done before the guide's deploy as the guide did it: both boxes'
  // owners clicked Cloudflare's verification link (tests/fixtures/guide/cloudflare.ts). The program
  // adopts the two addresses and creates the rules to them; its destroy deletes them.
  const routing = config.routing as { serviceDestination: string; personalDestination: string };
  for (const email of [routing.serviceDestination, routing.personalDestination]) {
    if (!cloudflare.model.addresses.some((a) => a.email === email))
      cloudflare.model.createAddress(cloudflare.accountId, { email });
    cloudflare.model.markVerified(email);
  }
  const cf = new CloudflareMockEngine(cloudflare);

  const rows: Row[] = [];
  let managed: Managed[] = [];
  let state: Record<string, State> = {};
  const declared = Object.fromEntries(HOMELAB_SYSTEMS.map((x) => [x, 0])) as Record<StandIn, number>;
  try {
    for (const phase of PHASES) {
      // A fresh provider host per phase, configured before the clock starts.
      const host = await startProviderHost();
      try {
        await host.configure(all, { secretKeys: Object.keys(secrets).map(key) });
        // Each kind's provider compiled before the clock starts, as ProjectDeployment.start does for the
        // other rows (a check with empty inputs: refused, and no request).
        for (const text of Object.values(texts))
          await host.check({}, { __provider: text }).catch(() => undefined);
        const gate = new Gate(o.parallelism);
        const clock = new Clock();
        const engine = new Engine(instrument(host, kindOf, gate, clock), texts);
        await s.settle();
        const before = new Map(s.systems.map((x) => [x, s.counts(x)]));
        resetPeak(host.pid);
        log(`homelab: ${phase}`);
        if (phase === "deploy") {
          const watch = watchDependencies();
          try {
            await cf.beginRun(false);
            const result = await deployProgram({
              native: {
                newResource: (args) => gate.run(() => clock.time("cloudflare", () => cf.newResource(args))),
                call: (args) => clock.time("cloudflare", () => cf.call(args)),
              },
              config: { ...config, ...raw },
              secrets,
              host: engine.host,
              texts,
            });
            await cf.endRun();
            if (cf.errors.length) throw new Error(`bench: Cloudflare refused: ${cf.errors.join("; ")}`);
            state = result.state;
            managed = result.resources
              .filter((r) => r.type.startsWith(DYNAMIC) || cf.nativeNames().includes(r.name))
              .map((r) => {
                const dynamic = r.type.startsWith(DYNAMIC);
                const kind = dynamic ? r.type.slice(DYNAMIC.length) : r.type;
                return {
                  name: r.name,
                  system: dynamic ? systemOfKind(kind) : "cloudflare",
                  dynamic,
                  deps: watch.deps.get(r.name)?.deps ?? [],
                  kind,
                };
              });
            for (const m of managed as (Managed & { kind: string })[])
              if (!OBJECTLESS.has(m.kind)) declared[m.system]++;
          } finally {
            watch.stop();
          }
        } else {
          for (const level of levels(managed, phase)) {
            await pool(level, o.parallelism, async (name) => {
              const dynamic = state[name];
              if (phase === "refresh") {
                if (!dynamic) return gate.run(() => clock.time("cloudflare", () => cf.refreshOne(name)));
                const read = await engine.refresh(dynamic);
                if (!read) throw new Error(`bench: refresh found ${name} gone right after deploying it`);
                state[name] = read;
                return;
              }
              if (!dynamic) return gate.run(() => clock.time("cloudflare", () => cf.destroyOne(name)));
              await engine.destroy(dynamic);
              delete state[name];
            });
          }
        }
        const peak = peakMb(host.pid);
        await s.settle();
        const census = s.census();
        for (const x of HOMELAB_SYSTEMS) {
          const expected = phase === "destroy" ? 0 : declared[x];
          if (census[x] !== expected)
            throw new Error(
              `bench: after the homelab ${phase}, the ${x} stand-in holds ${census[x]} of the program's objects, not ${expected}`,
            );
        }
        const dynamicOf = (x?: StandIn) => managed.filter((m) => m.dynamic && (!x || m.system === x)).length;
        const per: Row[] = s.systems.map((x) => {
          const a = before.get(x)!;
          const b = s.counts(x);
          return {
            system: `homelab:${x}` as HomelabSystem,
            api: null,
            n: dynamicOf(x),
            phase,
            client: "project",
            wallMs: clock.wall(x),
            floorMs: Math.round(floorOf(managed, phase, latency, o.parallelism, x)),
            requests: b.requests - a.requests,
            logins: b.logins - a.logins,
            connections: b.connections - a.connections,
            // One host serves every system: its memory is not theirs apart.
            peakRssMb: null,
          };
        });
        const sum = (k: "requests" | "logins" | "connections") => per.reduce((t, r) => t + r[k], 0);
        rows.push(
          {
            system: "homelab",
            api: null,
            n: dynamicOf(),
            phase,
            client: "project",
            wallMs: clock.wall(),
            floorMs: Math.round(floorOf(managed, phase, latency, o.parallelism)),
            requests: sum("requests"),
            logins: sum("logins"),
            connections: sum("connections"),
            peakRssMb: peak,
          },
          ...per,
        );
        await o.afterPhase?.(phase);
      } finally {
        await host.close();
      }
    }
  } finally {
    // Its clients only: the stand-in is the caller's (or runHomelab's) to close.
    await closeCloudflareClient();
    await cf.api.close();
  }
  return { rows, declared, skipped: s.skipped };
}
