/** The benchmark's rows, as one JSON object per line for machines and as a table for people. */
import { PHASES, type Api, type Phase, type System } from "./plan";

export type Client = "project" | "naive-parallel" | "by-hand";
export const CLIENTS: Client[] = ["project", "naive-parallel", "by-hand"];

export interface Row {
  readonly system: System;
  readonly api: Api | null;
  /** Accounts (Stalwart, plus their one domain) or mission objects (PMG). */
  readonly n: number;
  readonly phase: Phase;
  readonly client: Client;
  readonly wallMs: number;
  /** RTT × requests on the critical path / parallelism: see floorOfLevel. */
  readonly floorMs: number;
  /** As the stand-in counted them. */
  readonly requests: number;
  readonly logins: number;
  readonly connections: number;
  readonly peakRssMb: number | null;
}

/**
 * The least time one level can take, each request costing at least one RTT: at most `parallelism`
 * requests are in flight (the engine runs that many resources, each making its requests one after
 * another), and the level lasts at least as long as its average resource's chain of requests.
 */
export function floorOfLevel(
  rttMs: number,
  requests: number,
  resources: number,
  parallelism: number,
): number {
  return rttMs * Math.max(Math.ceil(requests / parallelism), requests / resources);
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
      PHASES.indexOf(r.phase),
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
