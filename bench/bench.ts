/**
 * `npm run bench`: deploys, refreshes and destroys N Stalwart accounts (both management APIs) and
 * the mission's PMG objects against the stand-ins, each answer delayed by the same latency, with
 * three clients: the project (the provider host, as a deployment runs it), a naive client at the
 * same parallelism (a fresh login and connection per call) and the way it was done by hand (the
 * same, one call after another). Every number in a row is measured in that run.
 */
import * as os from "node:os";
import * as path from "node:path";
import { buildProviders } from "../scripts/buildProviders";
import { serializeProviders } from "../tests/harness/serialize";
import type { State } from "../tests/providers/engine";
import { NaiveClients, type NaiveClient } from "./naive/remote";
import { PHASES, pmgPlan, stalwartPlan, type Phase, type Plan } from "./plan";
import { runHomelab } from "./homelab";
import { ProjectDeployment } from "./project";
import { floorOfLevel, type Client, type Row } from "./report";
import { quiet } from "./quiet";
import { peakMb, resetPeak } from "./rss";
import { BenchServers } from "./servers";

/** Pulumi's default `--parallel`: 4 × runtime.NumCPU() (pulumi/pulumi#15016). */
export const ENGINE_PARALLELISM = 4 * os.availableParallelism();

export interface BenchOptions {
  readonly ns: number[];
  /** Added by each stand-in to every answer. Default 20 ms. */
  readonly latencyMs?: number;
  readonly parallelism?: number;
  /** Each row as soon as it is measured. */
  readonly onRow?: (row: Row) => void;
  /** Progress for people. */
  readonly log?: (line: string) => void;
  /** Stand-ins to run against (their latency is set here); default: started and closed here. */
  readonly servers?: BenchServers;
  /** The guide's whole homelab stack, once per run (bench/homelab.ts). Default true. */
  readonly homelab?: boolean;
}

export async function runBench(o: BenchOptions): Promise<Row[]> {
  const latency = o.latencyMs ?? 20;
  const parallelism = o.parallelism ?? ENGINE_PARALLELISM;
  const log = o.log ?? (() => undefined);
  const servers = o.servers ?? (await BenchServers.start(latency));
  for (const s of [servers.pmg, servers.stalwart.rest, servers.stalwart.jmap]) s.latencyMs = latency;
  const rows: Row[] = [];
  // The providers compiled ahead of time, as `npm install` leaves them (providers/host.ts).
  buildProviders(path.join(__dirname, ".."));
  const texts = serializeProviders("tests/providers/shims.ts");
  texts.catch(() => undefined); // awaited by each deployment; a failure is reported there
  const naive = await NaiveClients.start(servers.info);
  try {
    for (const [i, n] of o.ns.entries()) {
      const plans = [stalwartPlan("rest", n), stalwartPlan("jmap", n), ...(i === 0 ? [pmgPlan()] : [])];
      const measure = async (
        plan: Plan,
        client: Client,
        phase: Phase,
        pid: number,
        runLevel: (names: string[], parallelism: number) => Promise<void>,
      ) => {
        const p = client === "by-hand" ? 1 : parallelism;
        log(`${plan.system}${plan.api ? ` ${plan.api}` : ""} n=${plan.n}: ${client} ${phase}`);
        const row = await measureRow(servers, plan, client, phase, latency, p, pid, (names) =>
          runLevel(names, p),
        );
        rows.push(row);
        o.onRow?.(row);
      };
      // The project: a fresh provider host per phase, as `pulumi up`, `refresh` and `destroy` each start
      // one. They start (and compile the providers) together, before any timing, and idle until used.
      plans.forEach((p) => servers.clear(p));
      const states = new Map<Plan, Map<string, State>>(plans.map((p) => [p, new Map()]));
      // The first starts alone: its first call is timed (a row of its own, once per run).
      const first = await Promise.allSettled([ProjectDeployment.start(texts, servers.info)]);
      const deployments = [
        ...first,
        ...(await Promise.allSettled(
          PHASES.slice(1).map(() => ProjectDeployment.start(texts, servers.info)),
        )),
      ];
      if (i === 0 && first[0].status === "fulfilled") {
        const row: Row = {
          system: "host",
          api: null,
          n: 1,
          phase: "start",
          client: "project",
          wallMs: first[0].value.firstCallMs,
          floorMs: 0,
          requests: 0,
          logins: 0,
          connections: 0,
          peakRssMb: peakMb(first[0].value.pid),
        };
        rows.push(row);
        o.onRow?.(row);
      }
      try {
        for (const [k, phase] of PHASES.entries()) {
          const d = deployments[k];
          if (d.status === "rejected") throw d.reason;
          for (const plan of plans)
            await measure(plan, "project", phase, d.value.pid, (names, p) =>
              d.value.run(plan, phase, names, servers.endpoint(plan), states.get(plan)!, p),
            );
          await d.value.close();
        }
      } finally {
        await Promise.all(deployments.map((d) => d.status === "fulfilled" && d.value.close()));
      }
      for (const client of ["naive-parallel", "by-hand"] as NaiveClient[]) {
        for (const plan of plans) {
          servers.clear(plan);
          for (const phase of PHASES)
            await measure(plan, client, phase, naive.pid, (names, p) =>
              naive.run({
                system: plan.system,
                api: plan.api,
                n: plan.n,
                client,
                phase,
                names,
                parallelism: p,
              }),
            );
        }
      }
    }
    // Once per run, on stand-ins of its own (so the rows above still add up to their servers' counts).
    if (o.homelab !== false) {
      const homelab = await runHomelab({ latencyMs: latency, parallelism, texts, log });
      for (const row of homelab.rows) {
        rows.push(row);
        o.onRow?.(row);
      }
    }
  } finally {
    naive.close();
    if (!o.servers) await servers.close();
  }
  return rows;
}

/** One phase of one plan with one client: levels in order, counted by the server, checked by a census. */
async function measureRow(
  servers: BenchServers,
  plan: Plan,
  client: Client,
  phase: Phase,
  rttMs: number,
  parallelism: number,
  pid: number,
  runLevel: (names: string[]) => Promise<void>,
): Promise<Row> {
  const start = servers.counts(plan);
  resetPeak(pid);
  let wall = 0;
  let floor = 0;
  for (const names of plan.levels[phase]) {
    const t = performance.now();
    await runLevel(names);
    wall += performance.now() - t;
    floor += floorOfLevel(rttMs, phase, names.length, parallelism);
  }
  // A client may still have a request on its way after its last step answered: the project keeps one
  // listing in flight while reads or deletes keep coming (providers/stalwart/census.ts), and the
  // last one lands after the phase. Counted here, in the row that sent it, once the server is quiet.
  await quiet(() => servers.counts(plan).requests, rttMs);
  const end = servers.counts(plan);
  const held = servers.census(plan);
  const expected = phase === "destroy" ? 0 : plan.items.length;
  if (held !== expected)
    throw new Error(
      `bench: after the ${client} client's ${phase}, the ${plan.system} server holds ${held} objects, not ${expected}`,
    );
  return {
    system: plan.system,
    api: plan.api,
    n: plan.n,
    phase,
    client,
    wallMs: Math.round(wall),
    floorMs: Math.round(floor),
    requests: end.requests - start.requests,
    logins: end.logins - start.logins,
    connections: end.connections - start.connections,
    peakRssMb: peakMb(pid),
  };
}
