/** The benchmark's rows, as one JSON object per line for machines and as a table for people. */
import { PHASES, type Api, type Phase, type System } from "./plan";

export type Client = "project" | "naive-parallel" | "by-hand";
export const CLIENTS: Client[] = ["project", "naive-parallel", "by-hand"];

/**
 * The guide's whole homelab stack through the provider host (bench/homelab.ts): `homelab` sums
 * every system; `homelab:<system>` is one system's share.
 */
export type HomelabSystem =
  "homelab" | "homelab:pmg" | "homelab:stalwart" | "homelab:unifi" | "homelab:cloudflare" | "homelab:pmghost";

export interface Row {
  /** `host`: the provider host's start (phase `start`: wallMs from its port announced to its first answer). */
  readonly system: System | "host" | HomelabSystem;
  readonly api: Api | null;
  /** Accounts (Stalwart, plus their one domain), mission objects (PMG) or dynamic resources (homelab). */
  readonly n: number;
  readonly phase: Phase | "start";
  readonly client: Client;
  readonly wallMs: number;
  /** RTT × ceil(least requests / parallelism), summed over the phase's levels: see floorOfLevel. */
  readonly floorMs: number;
  /** As the stand-in counted them. */
  readonly requests: number;
  readonly logins: number;
  readonly connections: number;
  readonly peakRssMb: number | null;
}

/** The least requests per object a phase needs (issue 15): one to create or read, two to delete (check, then delete). */
export const LEAST_PER_OBJECT: Record<Phase, number> = { deploy: 1, refresh: 1, destroy: 2 };

/**
 * The least time one level can take on an API without batching: every request costs at least one
 * RTT and at most `parallelism` are in flight, so RTT × ceil(least requests / parallelism). A client
 * that batches (the project on JMAP) can go below it.
 */
export function floorOfLevel(rttMs: number, phase: Phase, resources: number, parallelism: number): number {
  return rttMs * Math.ceil((LEAST_PER_OBJECT[phase] * resources) / parallelism);
}

/** Exactly the documented keys, in the documented order. */
export function jsonLine(r: Row): string {
  const { system, api, n, phase, client, wallMs, floorMs, requests, logins, connections, peakRssMb } = r;
  return JSON.stringify({
    system,
    api,
    n,
    phase,
    client,
    wallMs,
    floorMs,
    requests,
    logins,
    connections,
    peakRssMb,
  });
}

const COLUMNS = [
  "system",
  "api",
  "n",
  "phase",
  "client",
  "wall ms",
  "floor ms",
  "wall/floor",
  "requests",
  "req/object",
  "logins",
  "connections",
  "peak RSS MB",
];

/** Rows grouped by system, API, n and phase, the three clients side by side. */
export function table(rows: Row[]): string {
  const order = (r: Row) =>
    [
      r.system,
      r.api ?? "",
      String(r.n).padStart(6, "0"),
      r.phase === "start" ? -1 : PHASES.indexOf(r.phase),
      CLIENTS.indexOf(r.client),
    ].join("|");
  const sorted = [...rows].sort((a, b) => (order(a) < order(b) ? -1 : 1));
  const objects = (r: Row) => (r.system === "stalwart" ? r.n + 1 : r.n);
  const cells = sorted.map((r) => [
    r.system,
    r.api ?? "-",
    String(r.n),
    r.phase,
    r.client,
    String(r.wallMs),
    String(r.floorMs),
    r.floorMs > 0 ? (r.wallMs / r.floorMs).toFixed(2) : "-",
    String(r.requests),
    (r.requests / objects(r)).toFixed(2),
    String(r.logins),
    String(r.connections),
    r.peakRssMb === null ? "-" : r.peakRssMb.toFixed(1),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((c, i) => (i < 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(COLUMNS), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
