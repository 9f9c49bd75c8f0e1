/** The engine-side helpers of the homelab-stack row (homelab.ts): timing, parallelism, dependencies, levels and floors. */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { type PropertyBag, type ProviderHost } from "../tests/harness/providerHost";
import { type Phase } from "./plan";
import { LEAST_PER_OBJECT } from "./report";

import { HOMELAB_SYSTEMS, type StandIn } from "./homelabStandIns";

/** One managed resource of the program: a dynamic one (through the host) or a Cloudflare one (the stand-in). */
export interface Managed {
  readonly name: string;
  readonly system: StandIn;
  readonly dynamic: boolean;
  /** Managed resources it depends on (inputs and dependsOn, as the SDK sends them), by name. */
  readonly deps: string[];
}

/** Times of one phase: its first call, its last answer, and each system's last answer. */
export class Clock {
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
export class Gate {
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

export const systemOfKind = (kind: string): StandIn => {
  const s = kind.split(":")[0];
  if (!(HOMELAB_SYSTEMS as readonly string[]).includes(s)) throw new Error(`bench: no stand-in for ${kind}`);
  return s as StandIn;
};

/** The provider host with each call gated and timed, by the system of the resource it is for. */
export function instrument(
  host: ProviderHost,
  kindOf: Map<string, string>,
  gate: Gate,
  clock: Clock,
): ProviderHost {
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
export function watchDependencies(): {
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
export function levels(managed: Managed[], phase: Phase): string[][] {
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
export function floorOf(
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
