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
import * as fs from "node:fs";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { OVERRIDE_PATH } from "../providers/pmghost/templateBlock";
import { RC_TEMPLATE_PATH } from "../providers/pmghost/fetchmailHost";
import { SASL_PATH } from "../providers/pmghost/saslMap";
import { POLICY_PATH } from "../providers/pmghost/tlsPolicy";
import { closeCloudflareClient } from "../providers/cloudflare/settings";
import { CloudflareMockEngine } from "../tests/components/cloudflareMock";
import { guideConfigAt, guideSecrets } from "../tests/fixtures/guide/config";
import { deployProgram } from "../tests/lab/deploy";
import { startProviderHost, type PropertyBag, type ProviderHost } from "../tests/harness/providerHost";
import { Engine, type State } from "../tests/providers/engine";
import { startCloudflareServer, type CloudflareTestServer } from "../tests/servers/cloudflare/server";
import { startPmgServer, type PmgTestServer } from "../tests/servers/pmg/server";
import { startPmgHostBed, type PmgHostBed } from "../tests/servers/pmghost/server";
import { startStalwartServer, type StalwartTestServer } from "../tests/servers/stalwart/server";
import { startUnifiServer, type UnifiTestServer } from "../tests/servers/unifi/server";
import { PHASES, type Phase } from "./plan";
import { pool } from "./pool";
import { LEAST_PER_OBJECT, type HomelabSystem, type Row } from "./report";
import { peakMb, resetPeak } from "./rss";
import type { Counts } from "./servers";

export const HOMELAB_SYSTEMS = ["pmg", "stalwart", "unifi", "cloudflare", "pmghost"] as const;
export type StandIn = (typeof HOMELAB_SYSTEMS)[number];

const DYNAMIC = "pulumi-nodejs:dynamic/";
/** Kinds that hold no object of their own (PmgConfigSync runs `pmgconfig sync`; its delete does nothing). */
const OBJECTLESS = new Set(["pmghost:PmgConfigSync"]);
/** The PMG host's files, one per resource that owns one. */
const PMGHOST_FILES = [RC_TEMPLATE_PATH, SASL_PATH, OVERRIDE_PATH, POLICY_PATH];

/** The stand-ins of the whole stack; counters are never reset, so rows can be checked against them. */
export class HomelabStandIns {
  private constructor(
    readonly pmg: PmgTestServer,
    readonly stalwart: StalwartTestServer,
    readonly unifi: UnifiTestServer,
    readonly cloudflare: CloudflareTestServer,
    /** Undefined when the PMG host test bed could not start (see `skipped`). */
    readonly pmghost: PmgHostBed | undefined,
    /** Why there is no PMG host, if there is none. */
    readonly skipped: string | undefined,
  ) {}

  static async start(latencyMs: number, o: { pmghost?: boolean } = {}): Promise<HomelabStandIns> {
    const domains = guideConfigAt({}).domains as { name: string; cloudflareZoneId: string }[];
    const account = String(guideConfigAt({}).cloudflareAccountId);
    const [pmg, stalwart, unifi, cloudflare] = await Promise.all([
      startPmgServer({ authFailureDelayMs: 20 }),
      startStalwartServer({ api: "rest" }),
      startUnifiServer(),
      startCloudflareServer({
        zones: domains.map((d) => d.name),
        zoneIds: domains.map((d) => d.cloudflareZoneId),
        accountId: account,
      }),
    ]);
    let bed: PmgHostBed | undefined;
    let skipped: string | undefined;
    if (o.pmghost === false) skipped = "not asked for";
    else {
      try {
        bed = await startPmgHostBed();
      } catch (e) {
        skipped = e instanceof Error ? e.message.split("\n")[0] : String(e);
      }
    }
    const s = new HomelabStandIns(pmg, stalwart, unifi, cloudflare, bed, skipped);
    s.latencyMs = latencyMs;
    return s;
  }

  /** Added to every answer by each HTTP stand-in (the PMG host's sshd adds none). */
  set latencyMs(ms: number) {
    this.pmg.latencyMs = ms;
    this.stalwart.latencyMs = ms;
    this.unifi.faults.latencyMs = ms;
    this.cloudflare.latencyMs = ms;
  }

  get systems(): StandIn[] {
    return HOMELAB_SYSTEMS.filter((s) => s !== "pmghost" || this.pmghost);
  }

  /**
   * Cumulative counts as each stand-in keeps them. Logins: PMG's password tickets; Stalwart's and
   * Cloudflare's requests whose credentials were accepted (both take them on every request); UniFi's
   * sessions (none with an API key, which is how the program talks to it); SSH authentications.
   * Requests on the PMG host are SSH sessions: each command, and each SFTP subsystem opened.
   */
  counts(system: StandIn): Counts {
    if (system === "pmghost") {
      const c = this.pmghost!.counters;
      return { requests: c.sessions, logins: c.logins, connections: c.connections };
    }
    const c = { pmg: this.pmg, stalwart: this.stalwart, unifi: this.unifi, cloudflare: this.cloudflare }[
      system
    ].counters;
    return { requests: c.requests, logins: c.logins, connections: c.tcpConnections };
  }

  /** sshd's log reaches this process through a pipe: read the PMG host's counters after this. */
  async settle(): Promise<void> {
    await this.pmghost?.settle(200);
  }

  /** Objects of the program's kinds each stand-in holds now. */
  census(): Record<StandIn, number> {
    const st = this.pmg.state;
    const has = (m: Map<string, unknown>, k: string) => (m.has(k) ? 1 : 0);
    const cf = this.cloudflare.model;
    return {
      pmg:
        st.mynetworks.size +
        st.domains.size +
        st.transport.size +
        st.dkimDomains.size +
        has(st.mail, "smarthost") +
        has(st.admin, "dkim_selector") +
        has(st.admin, "dkim_sign"),
      stalwart: this.stalwart.rest.principals.size,
      unifi: this.unifi.store.list("default").length,
      // Routing's MX records come and go with routing itself (counted once, as enabled); its own
      // DKIM key (cf2024-1) is Cloudflare's. Every other record is a TXT the program declared: the
      // apex SPF that enabling routing writes is the program's once it adopts it.
      cloudflare:
        cf.addresses.length +
        cf.zones.reduce(
          (n, z) =>
            n +
            z.rules.length +
            (z.routing.enabled ? 1 : 0) +
            z.records.filter((r) => r.type !== "MX" && !r.name.startsWith("cf2024-1._domainkey.")).length,
          0,
        ),
      pmghost: this.pmghost ? PMGHOST_FILES.filter((f) => fs.existsSync(this.pmghost!.path(f))).length : 0,
    };
  }

  async close(): Promise<void> {
    await Promise.all([
      this.pmg.close(),
      this.stalwart.close(),
      this.unifi.close(),
      this.cloudflare.close(),
      this.pmghost?.close(),
    ]);
  }
}

/** One managed resource of the program: a dynamic one (through the host) or a Cloudflare one (the stand-in). */
interface Managed {
  readonly name: string;
  readonly system: StandIn;
  readonly dynamic: boolean;
  /** Managed resources it depends on (inputs and dependsOn, as the SDK sends them), by name. */
  readonly deps: string[];
}

/** Times of one phase: its first call, its last answer, and each system's last answer. */
class Clock {
  first = Infinity;
  last = 0;
  readonly lastOf = new Map<StandIn, number>();

  async time<T>(system: StandIn | undefined, f: () => Promise<T>): Promise<T> {
    this.first = Math.min(this.first, performance.now());
    try {
      return await f();
    } finally {
      const t = performance.now();
      this.last = Math.max(this.last, t);
      if (system) this.lastOf.set(system, Math.max(this.lastOf.get(system) ?? 0, t));
    }
  }

  wall(system?: StandIn): number {
    const end = system ? this.lastOf.get(system) : this.last;
    return end === undefined || this.first === Infinity ? 0 : Math.round(end - this.first);
  }
}

/** At most `n` at once: the engine's `--parallel` bounds resource steps; here, provider calls. */
class Gate {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

const systemOfKind = (kind: string): StandIn => {
  const s = kind.split(":")[0];
  if (!(HOMELAB_SYSTEMS as readonly string[]).includes(s)) throw new Error(`bench: no stand-in for ${kind}`);
  return s as StandIn;
};

/** The provider host with each call gated and timed, by the system of the resource it is for. */
function instrument(host: ProviderHost, kindOf: Map<string, string>, gate: Gate, clock: Clock): ProviderHost {
  const system = (props: PropertyBag | undefined) => {
    const kind = kindOf.get(String(props?.__provider));
    return kind === undefined ? undefined : systemOfKind(kind);
  };
  return {
    ...host,
    pid: host.pid,
    check: (olds, news) => gate.run(() => clock.time(system(news), () => host.check(olds, news))),
    diff: (id, olds, news) => gate.run(() => clock.time(system(news), () => host.diff(id, olds, news))),
    create: (props) => gate.run(() => clock.time(system(props), () => host.create(props))),
    read: (id, props, inputs) =>
      gate.run(() => clock.time(system(props), () => host.read(id, props, inputs))),
    update: (id, olds, news) => gate.run(() => clock.time(system(news), () => host.update(id, olds, news))),
    delete: (id, props) => gate.run(() => clock.time(system(props), () => host.delete(id, props))),
  } as ProviderHost;
}

/** Records what each registration depends on (the mock runtime hands newResource no dependencies). */
function watchDependencies(): {
  stop(): void;
  deps: Map<string, { type: string; custom: boolean; deps: string[] }>;
} {
  const deps = new Map<string, { type: string; custom: boolean; deps: string[] }>();
  const proto = MockMonitor.prototype as unknown as {
    registerResource(req: unknown, cb: unknown): Promise<void>;
  };
  const original = proto.registerResource;
  proto.registerResource = function (this: unknown, req: unknown, cb: unknown) {
    const r = req as {
      getName(): string;
      getType(): string;
      getCustom(): boolean;
      getDependenciesList(): string[];
    };
    // A URN ends in `::<name>`; the program's names are unique (deploy.ts keys its state by them).
    const name = (urn: string) => urn.split("::").slice(3).join("::");
    deps.set(r.getName(), {
      type: r.getType(),
      custom: r.getCustom(),
      deps: r.getDependenciesList().map(name),
    });
    return original.call(this, req, cb);
  };
  return { deps, stop: () => (proto.registerResource = original) };
}

/** Deploy levels: a resource one level past the deepest of its dependencies. Destroy: dependents first. */
function levels(managed: Managed[], phase: Phase): string[][] {
  const byName = new Map(managed.map((m) => [m.name, m]));
  const depth = new Map<string, number>();
  const deployDepth = (m: Managed, seen: string[] = []): number => {
    if (depth.has(m.name)) return depth.get(m.name)!;
    if (seen.includes(m.name)) throw new Error(`bench: a dependency cycle through ${m.name}`);
    const ds = m.deps.filter((d) => byName.has(d)).map((d) => deployDepth(byName.get(d)!, [...seen, m.name]));
    const d = ds.length === 0 ? 0 : 1 + Math.max(...ds);
    depth.set(m.name, d);
    return d;
  };
  const height = new Map<string, number>();
  const destroyHeight = (m: Managed): number => {
    if (height.has(m.name)) return height.get(m.name)!;
    const dependents = managed.filter((x) => x.deps.includes(m.name)).map(destroyHeight);
    const h = dependents.length === 0 ? 0 : 1 + Math.max(...dependents);
    height.set(m.name, h);
    return h;
  };
  if (phase === "refresh") return [managed.map((m) => m.name)];
  const at = phase === "deploy" ? deployDepth : destroyHeight;
  const out: string[][] = [];
  for (const m of managed) (out[at(m)] ??= []).push(m.name);
  return out.filter((l) => l && l.length > 0);
}

/**
 * The floor of one phase for some systems: RTT × ceil(least requests / parallelism), summed over
 * the phase's dependency levels (deploy: a resource waits for everything it depends on; refresh:
 * one level; destroy: dependents first), as bench/report.ts's floorOfLevel for the other rows. The
 * least requests per resource: LEAST_PER_OBJECT for a dynamic one (create 1, read 1, delete 2:
 * check, then delete), one for a Cloudflare Pulumi-provider one (its provider deletes blind), and
 * none on the PMG host, whose sshd adds no latency. Program invokes are left out (a lower bound).
 */
function floorOf(
  managed: Managed[],
  phase: Phase,
  rttMs: number,
  parallelism: number,
  only?: StandIn,
): number {
  const byName = new Map(managed.map((m) => [m.name, m]));
  let floor = 0;
  for (const level of levels(managed, phase)) {
    let least = 0;
    for (const name of level) {
      const m = byName.get(name)!;
      if (m.system === "pmghost" || (only && m.system !== only)) continue;
      least += m.dynamic ? LEAST_PER_OBJECT[phase] : 1;
    }
    floor += rttMs * Math.ceil(least / parallelism);
  }
  return floor;
}

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
