/**
 * The stand-ins the benchmark runs against: PMG and Stalwart in both API generations, each adding
 * the same latency to every answer. Their counters are never reset during a run, so the sums of
 * the benchmark's rows can be checked against them (tests/bench/bench.test.ts).
 */
import { randomBytes } from "node:crypto";
import { startPmgServer, type PmgTestServer } from "../tests/servers/pmg/server";
import { startStalwartServer, type StalwartTestServer } from "../tests/servers/stalwart/server";
import type { Api, Plan } from "./plan";

export interface Counts {
  readonly requests: number;
  readonly logins: number;
  readonly connections: number;
}

/** What a client outside this process needs to reach the stand-ins (test-only credentials). */
export interface ServerInfo {
  readonly pmg: {
    endpoint: string;
    username: string;
    password: string;
    certPem: string;
    fingerprint: string;
  };
  readonly stalwart: { urls: Record<Api, string>; username: string; password: string };
}

export class BenchServers {
  private constructor(
    readonly pmg: PmgTestServer,
    readonly stalwart: Record<Api, StalwartTestServer>,
  ) {}

  static async start(latencyMs: number): Promise<BenchServers> {
    const password = randomBytes(18).toString("base64url");
    const [pmg, rest, jmap] = await Promise.all([
      startPmgServer({ authFailureDelayMs: 20 }),
      startStalwartServer({ api: "rest", password }),
      startStalwartServer({ api: "jmap", password }),
    ]);
    for (const s of [pmg, rest, jmap]) s.latencyMs = latencyMs;
    return new BenchServers(pmg, { rest, jmap });
  }

  get info(): ServerInfo {
    const { pmg, stalwart } = this;
    return {
      pmg: {
        endpoint: `https://127.0.0.1:${pmg.port}`,
        username: pmg.username,
        password: pmg.password,
        certPem: pmg.certPem,
        fingerprint: pmg.fingerprint,
      },
      stalwart: {
        urls: { rest: stalwart.rest.url, jmap: stalwart.jmap.url },
        username: stalwart.rest.username,
        password: stalwart.rest.password,
      },
    };
  }

  /** The endpoint a plan's resources name. */
  endpoint(plan: Plan): string {
    return plan.system === "pmg" ? this.info.pmg.endpoint : this.stalwart[plan.api!].url;
  }

  /** Cumulative counts of the plan's server: logins are PMG tickets, or Stalwart's accepted credentials. */
  counts(plan: Plan): Counts {
    const c = plan.system === "pmg" ? this.pmg.counters : this.stalwart[plan.api!].counters;
    return { requests: c.requests, logins: c.logins, connections: c.tcpConnections };
  }

  /** Objects of the plan the server holds now (the mailbox domain and accounts; PMG's mission objects). */
  census(plan: Plan): number {
    if (plan.system === "stalwart") {
      const s = this.stalwart[plan.api!];
      return plan.api === "rest" ? s.rest.principals.size : s.jmap.domains.size + s.jmap.accounts.size;
    }
    const st = this.pmg.state;
    const set = (m: Map<string, unknown>, k: string) => (m.has(k) ? 1 : 0);
    return (
      st.mynetworks.size +
      st.domains.size +
      st.transport.size +
      st.dkimDomains.size +
      set(st.mail, "smarthost") +
      set(st.admin, "dkim_selector") +
      set(st.admin, "dkim_sign")
    );
  }

  /** Empties the plan's server, PMG's DKIM key files included, so each client starts alike; counters stay. */
  clear(plan: Plan): void {
    if (plan.system === "pmg") this.pmg.state.clear();
    else this.stalwart[plan.api!][plan.api!].clear();
  }

  async close(): Promise<void> {
    await Promise.all([this.pmg.close(), this.stalwart.rest.close(), this.stalwart.jmap.close()]);
  }
}
