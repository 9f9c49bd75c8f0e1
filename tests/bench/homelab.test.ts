/**
 * The bench's homelab-stack rows (bench/homelab.ts) at latency 0: the guide's whole stack deployed,
 * refreshed and destroyed through the provider host, checked against what each stand-in holds and
 * counted itself. Needs root for the PMG host test bed, as CI has it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ENGINE_PARALLELISM } from "../../bench/bench";
import { ROW_KEYS } from "./rowKeys";
import { HOMELAB_SYSTEMS, HomelabStandIns, runHomelab, type HomelabResult } from "../../bench/homelab";
import type { Phase } from "../../bench/plan";
import { jsonLine, table, type Row } from "../../bench/report";
import { buildProviders } from "../../scripts/buildProviders";
import { GUIDE_ACCOUNTS, GUIDE_STALWART_DOMAINS } from "../fixtures/guide/stalwart";
import { GUIDE_TRUSTED_NETWORKS } from "../fixtures/guide/pmg";
import { GUIDE_UNIFI_RECORDS } from "../fixtures/guide/unifi";
import { serializeProviders } from "../harness/serialize";

/** What the stand-ins hold after a phase, read from their own state. */
interface Held {
  census: Record<string, number>;
  pmg: { networks: string[]; domains: string[]; transports: string[]; dkim: string[]; smarthost: boolean };
  stalwart: string[];
  unifi: string[];
  cloudflare: { addresses: string[]; rules: number; routing: number; txt: string[] };
  pmghostFiles: string[];
}

const PMGHOST_FILES = [
  "etc/pmg/templates/fetchmailrc.tt",
  "etc/postfix/sasl_passwd",
  "etc/pmg/templates/main.cf.in",
  "etc/postfix/smarthost_tls_policy",
];

describe("the homelab-stack rows", () => {
  let s: HomelabStandIns;
  let result: HomelabResult;
  const held = new Map<Phase, Held>();
  const row = (system: string, phase: Phase) =>
    result.rows.find((r) => r.system === system && r.phase === phase)!;

  beforeAll(async () => {
    buildProviders(path.join(__dirname, "..", ".."));
    s = await HomelabStandIns.start(0);
    result = await runHomelab({
      latencyMs: 0,
      parallelism: ENGINE_PARALLELISM,
      texts: serializeProviders("tests/providers/shims.ts"),
      standIns: s,
      afterPhase: (phase) => {
        const st = s.pmg.state;
        const cf = s.cloudflare.model;
        held.set(phase, {
          census: s.census(),
          pmg: {
            networks: [...st.mynetworks.keys()].sort(),
            domains: [...st.domains.keys()].sort(),
            transports: [...st.transport.keys()].sort(),
            dkim: [...st.dkimDomains.keys()].sort(),
            smarthost: st.mail.has("smarthost"),
          },
          stalwart: [...s.stalwart.rest.principals.values()].map((p) => p.name).sort(),
          unifi: s.unifi.store
            .list("default")
            .map((r) => r.key)
            .sort(),
          cloudflare: {
            addresses: cf.addresses.map((a) => a.email).sort(),
            rules: cf.zones.reduce((n, z) => n + z.rules.length, 0),
            routing: cf.zones.filter((z) => z.routing.enabled).length,
            txt: cf.zones
              .flatMap((z) => z.records.filter((r) => r.type === "TXT").map((r) => r.name))
              .filter((n) => !n.startsWith("cf2024-1."))
              .sort(),
          },
          pmghostFiles: PMGHOST_FILES.filter((f) => fs.existsSync(s.pmghost!.path(f))),
        });
      },
    });
    await s.settle();
  }, 120_000);
  afterAll(() => s?.close());

  it("ran the PMG host too (this machine runs the tests as root)", () => {
    expect(result.skipped).toBeUndefined();
    expect(s.pmghost).toBeDefined();
  });

  it("makes one homelab row and one row per system for each phase, in the documented JSON shape", () => {
    const systems = ["homelab", ...HOMELAB_SYSTEMS.map((x) => `homelab:${x}`)];
    expect(result.rows.map((r) => `${r.system}/${r.phase}`).sort()).toEqual(
      ["deploy", "refresh", "destroy"].flatMap((p) => systems.map((x) => `${x}/${p}`)).sort(),
    );
    for (const r of result.rows) {
      expect(Object.keys(JSON.parse(jsonLine(r)))).toEqual(ROW_KEYS);
      expect([r.api, r.client]).toEqual([null, "project"]);
      expect(r.peakRssMb === null ? r.system !== "homelab" : r.peakRssMb > 0).toBe(true);
    }
    expect(table(result.rows)).toMatch(/homelab:pmghost/);
  });

  it("reaches every system in deploy: requests on each, and a login wherever the system has one", () => {
    for (const x of HOMELAB_SYSTEMS) {
      const r = row(`homelab:${x}`, "deploy");
      expect([x, r.requests > 0, r.connections > 0]).toEqual([x, true, true]);
      // UniFi takes an API key on every request and never issues a session: no login, by design.
      if (x === "unifi") expect(r.logins).toBe(0);
      else expect([x, r.logins > 0]).toEqual([x, true]);
    }
    // One PMG ticket and one SSH login per provider host.
    for (const phase of ["deploy", "refresh", "destroy"] as Phase[]) {
      expect(row("homelab:pmg", phase).logins).toBe(1);
      expect(row("homelab:pmghost", phase).logins).toBe(1);
    }
  });

  it("leaves on the stand-ins what the program declared after deploy, and it is still there after refresh", () => {
    for (const phase of ["deploy", "refresh"] as Phase[]) {
      const h = held.get(phase)!;
      expect(h.census).toEqual(result.declared);
      expect(h.pmg).toEqual({
        networks: [...GUIDE_TRUSTED_NETWORKS].sort(),
        domains: ["example.net", "example.org"],
        transports: ["example.net", "example.org"],
        dkim: ["example.net", "example.org"],
        smarthost: true,
      });
      expect(h.stalwart).toEqual(
        [...GUIDE_STALWART_DOMAINS.map((d) => d.name), ...GUIDE_ACCOUNTS.map((a) => a.name)].sort(),
      );
      expect(h.unifi).toEqual(GUIDE_UNIFI_RECORDS.map((r) => r.key).sort());
      expect(h.cloudflare.addresses).toEqual(["lab-personal-box@example.com", "lab-service-box@example.com"]);
      // The guide's fourteen addresses on example.net, one rule each; routing on both zones.
      expect([h.cloudflare.rules, h.cloudflare.routing]).toEqual([14, 2]);
      expect(h.cloudflare.txt).toEqual(
        ["_dmarc", "example", "pmg2026._domainkey"]
          .flatMap((p) => ["example.net", "example.org"].map((z) => (p === "example" ? z : `${p}.${z}`)))
          .sort(),
      );
      expect(h.pmghostFiles).toEqual(PMGHOST_FILES);
    }
  });

  it("leaves none of the program's objects after destroy", () => {
    const h = held.get("destroy")!;
    expect(h.census).toEqual(Object.fromEntries(HOMELAB_SYSTEMS.map((x) => [x, 0])));
    expect(h.pmg).toEqual({ networks: [], domains: [], transports: [], dkim: [], smarthost: false });
    expect([h.stalwart, h.unifi, h.cloudflare.addresses, h.pmghostFiles]).toEqual([[], [], [], []]);
    expect([h.cloudflare.rules, h.cloudflare.routing]).toEqual([0, 0]);
  });

  it("adds the systems' rows up to the homelab row, and the rows up to what each stand-in counted", () => {
    const keys = ["n", "requests", "logins", "connections"] as const;
    for (const phase of ["deploy", "refresh", "destroy"] as Phase[]) {
      const per = result.rows.filter((r) => r.system.startsWith("homelab:") && r.phase === phase);
      const total = row("homelab", phase);
      for (const k of keys)
        expect([phase, k, per.reduce((t, r) => t + r[k], 0)]).toEqual([phase, k, total[k]]);
      for (const r of per) expect(r.wallMs).toBeLessThanOrEqual(total.wallMs);
    }
    for (const x of HOMELAB_SYSTEMS) {
      const mine = result.rows.filter((r: Row) => r.system === `homelab:${x}`);
      const c = s.counts(x);
      expect([x, mine.reduce((t, r) => t + r.requests, 0), mine.reduce((t, r) => t + r.logins, 0)]).toEqual([
        x,
        c.requests,
        c.logins,
      ]);
    }
  });
});
