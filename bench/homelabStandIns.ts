/** The stand-ins of the homelab-stack row (homelab.ts): one per system of the guide's stack. */
import * as fs from "node:fs";
import { OVERRIDE_PATH } from "../providers/pmghost/templateBlock";
import { RC_TEMPLATE_PATH } from "../providers/pmghost/fetchmailHost";
import { SASL_PATH } from "../providers/pmghost/saslMap";
import { POLICY_PATH } from "../providers/pmghost/tlsPolicy";
import { guideConfigAt } from "../tests/fixtures/guide/config";
import { startCloudflareServer, type CloudflareTestServer } from "../tests/servers/cloudflare/server";
import { startPmgServer, type PmgTestServer } from "../tests/servers/pmg/server";
import { startPmgHostBed, type PmgHostBed } from "../tests/servers/pmghost/server";
import { startStalwartServer, type StalwartTestServer } from "../tests/servers/stalwart/server";
import { startUnifiServer, type UnifiTestServer } from "../tests/servers/unifi/server";
import { quiet } from "./quiet";
import type { Counts } from "./servers";

export const HOMELAB_SYSTEMS = ["pmg", "stalwart", "unifi", "cloudflare", "pmghost"] as const;
export type StandIn = (typeof HOMELAB_SYSTEMS)[number];

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
    await quiet(() => this.stalwart.counters.requests, this.stalwart.latencyMs);
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
