/**
 * A smoke run of `npm run bench` at N=10 only: the rows' shape, and every count checked against
 * what the stand-ins themselves counted over the whole run (the full bench, N up to 1000, stays out
 * of `npm test`).
 */
import { ENGINE_PARALLELISM, runBench } from "../../bench/bench";
import { parseArgs } from "../../bench/cli";
import { CLIENTS, jsonLine, type Row } from "../../bench/report";
import { BenchServers, type Counts } from "../../bench/servers";
import { ROW_KEYS } from "./rowKeys";

const KEYS = ROW_KEYS;

describe("npm run bench", () => {
  let servers: BenchServers;
  let rows: Row[];
  const lines: string[] = [];
  beforeAll(async () => {
    servers = await BenchServers.start(20);
    rows = await runBench({ ns: [10], servers, homelab: false, onRow: (r) => lines.push(jsonLine(r)) });
  }, 180_000);
  afterAll(() => servers.close());

  it("prints one JSON object per row with exactly the documented keys, in order", () => {
    expect(lines).toHaveLength(rows.length);
    for (const line of lines) {
      const o = JSON.parse(line);
      expect(Object.keys(o)).toEqual(KEYS);
      expect(o).toMatchObject({
        system: expect.stringMatching(/^(stalwart|pmg|host)$/),
        phase: expect.stringMatching(/^(deploy|refresh|destroy|start)$/),
        client: expect.stringMatching(/^(project|naive-parallel|by-hand)$/),
      });
      expect(o.api).toBe(o.system === "pmg" ? null : o.api);
      if (o.system === "stalwart") expect(["rest", "jmap"]).toContain(o.api);
      for (const k of KEYS.slice(5, 10)) expect(Number.isInteger(o[k]) && o[k] >= 0).toBe(true);
      expect(o.peakRssMb === null || o.peakRssMb > 0).toBe(true);
    }
  });

  it("measures each system and API, phase and client once at N=10", () => {
    const combos = rows.map((r) => `${r.system}/${r.api}/${r.n}/${r.phase}/${r.client}`);
    expect(new Set(combos).size).toBe(combos.length);
    expect(combos).toHaveLength(3 * 3 * CLIENTS.length + 1);
    expect(combos).toContain("host/null/1/start/project");
    expect(rows.filter((r) => r.system === "stalwart").every((r) => r.n === 10)).toBe(true);
    expect(rows.filter((r) => r.system === "pmg").every((r) => r.n === 12)).toBe(true);
  });

  it("adds up to exactly what each stand-in counted over the run", () => {
    const sum = (pick: (r: Row) => boolean): Counts =>
      rows.filter(pick).reduce(
        (a, r) => ({
          requests: a.requests + r.requests,
          logins: a.logins + r.logins,
          connections: a.connections + r.connections,
        }),
        { requests: 0, logins: 0, connections: 0 },
      );
    const seen = (c: { requests: number; logins: number; tcpConnections: number }): Counts => ({
      requests: c.requests,
      logins: c.logins,
      connections: c.tcpConnections,
    });
    expect(sum((r) => r.system === "pmg")).toEqual(seen(servers.pmg.counters));
    expect(sum((r) => r.api === "rest")).toEqual(seen(servers.stalwart.rest.counters));
    expect(sum((r) => r.api === "jmap")).toEqual(seen(servers.stalwart.jmap.counters));
  });

  it("logs in to PMG once per deployment with the project, once per call otherwise", () => {
    const pmg = rows.filter((r) => r.system === "pmg");
    for (const r of pmg)
      expect([r.client, r.phase, r.logins]).toEqual([r.client, r.phase, r.client === "project" ? 1 : 12]);
  });

  it("opens one connection per call by hand, and no more than the engine's parallelism with the project on Stalwart", () => {
    for (const r of rows.filter((x) => x.client !== "project"))
      expect(r.connections).toBe(r.system === "pmg" ? 12 : 11);
    for (const r of rows.filter((x) => x.client === "project" && x.system === "stalwart"))
      expect(r.connections).toBeLessThanOrEqual(ENGINE_PARALLELISM);
  });

  it("never reports a wall time below its floor, but where the project batches (JMAP) or shares listings", () => {
    // 5 % for timers that fire up to a millisecond early.
    // The floor's delete checks first (two requests); the naive clients delete blind, in one.
    const below = rows.filter(
      (r) =>
        r.wallMs < r.floorMs * 0.95 &&
        !(r.client === "project" && r.api === "jmap") &&
        // The naive clients delete blind; the project's concurrent reads and deletes share listings
        // (providers/stalwart/census.ts).
        r.phase !== "destroy" &&
        !(r.client === "project" && r.system === "stalwart" && r.phase === "refresh"),
    );
    expect(below).toEqual([]);
  });

  it("keeps the project within its request bounds per operation (issue 15)", () => {
    const project = (system: string, api: string | null, phase: string) =>
      rows.find((r) => r.client === "project" && r.system === system && r.api === api && r.phase === phase)!;
    // Stalwart: 11 objects; a new host first finds which API the server speaks (2 requests).
    const connect = 2;
    expect(project("stalwart", "rest", "deploy").requests).toBeLessThanOrEqual(11 + connect);
    expect(project("stalwart", "rest", "refresh").requests).toBeLessThanOrEqual(11 + connect);
    expect(project("stalwart", "rest", "destroy").requests).toBeLessThanOrEqual(2 * 11 + connect);
    // JMAP batches: fewer requests than objects.
    for (const phase of ["deploy", "refresh", "destroy"])
      expect(project("stalwart", "jmap", phase).requests).toBeLessThan(11 + connect);
    // PMG: one ticket per deployment; a new list entry is one POST (9 of them); a settings section
    // exists always, so a read and a PUT (smarthost, signing); the DKIM selector reads which selector
    // is active and whether PMG signs (an active one of ours is adopted without a POST that would
    // rewrite pmg.conf), then POSTs, and reads the key PMG generated (the POST answers null).
    expect(project("pmg", null, "deploy").requests).toBeLessThanOrEqual(1 + 9 + 2 * 2 + 3);
    expect(project("pmg", null, "refresh").requests).toBeLessThanOrEqual(12 + 1);
    expect(project("pmg", null, "destroy").requests).toBeLessThanOrEqual(2 * 12 + 1);
  });

  it("reads --n and --json, and refuses anything else", () => {
    expect(parseArgs([])).toEqual({ ns: [10, 100, 1000], json: false });
    expect(parseArgs(["--n", "10,100", "--json"])).toEqual({ ns: [10, 100], json: true });
    expect(parseArgs(["--n=1000"])).toEqual({ ns: [1000], json: false });
    expect(() => parseArgs(["--n", "ten"])).toThrow(/--n needs/);
    expect(() => parseArgs(["--fast"])).toThrow(/unknown argument/);
  });
});
