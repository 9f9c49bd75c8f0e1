/**
 * The first `pulumi up` over the guide's hand-built homelab (tests/fixtures/guide), with the guide
 * config and without adoptExisting: every PMG, Stalwart and UniFi object is adopted, none is
 * recreated or deleted, and what differs converges in that one run; a second run changes nothing.
 * Server requests are counted by method on each stand-in.
 */
import { GUIDE_SHARED_PASSWORD, seedGuideStalwart } from "../fixtures/guide/stalwart";
import { seedGuidePmg, guideDkimKey } from "../fixtures/guide/pmg";
import { seedGuideUnifi } from "../fixtures/guide/unifi";
import type { State } from "../providers/engine";
import { byMethod, startGuideBed, writes, type GuideBed } from "./bed";

let bed: GuideBed;
beforeAll(async () => {
  bed = await startGuideBed();
}, 120_000);
afterAll(() => bed?.close());

function reseed(): void {
  bed.pmg.reset();
  bed.stalwart.reset();
  bed.unifi.reset();
  seedGuidePmg(bed.pmg.state);
  seedGuideStalwart(bed.stalwart);
  seedGuideUnifi(bed.unifi.store);
}

/** One `pulumi up` of every registered resource; `states` from the previous run, if any. */
async function up(config: Record<string, unknown>, states?: Map<string, State>) {
  const engine = await bed.engine(config);
  const resources = await bed.registered(config);
  const out = new Map<string, State>();
  const steps: Record<string, string[]> = {};
  for (const r of resources) {
    const before = states?.get(r.name);
    const prior = before && (await engine.refresh(before));
    const result = await engine.up(r.kind, r.inputs, prior ?? undefined);
    out.set(r.name, result.state);
    (steps[result.step] ??= []).push(r.name);
  }
  return { states: out, steps, resources };
}

function counters() {
  return {
    pmg: byMethod(bed.pmg.counters.requestsByRoute),
    stalwart: byMethod(bed.stalwart.counters.requestsByRoute),
    unifi: byMethod(bed.unifi.counters.requestsByRoute),
  };
}

function resetCounters(): void {
  bed.pmg.resetCounters();
  bed.stalwart.resetCounters();
  bed.unifi.resetCounters();
}

it("adopts every object of the guide's homelab in one run: nothing created, recreated or deleted, the rest converged", async () => {
  reseed();
  const principalsBefore = [...bed.stalwart.rest.principals.keys()];
  const recordsBefore = bed.unifi.store.records.map((r) => r.v2Id);
  resetCounters();

  const first = await up(bed.config);
  const kinds = first.resources.map((r) => r.kind);
  // 3 trusted networks, smarthost, 2 relay domains, 2 transports, 2 DKIM domains, selector, signing;
  // 2 Stalwart domains and 8 accounts; 2 UniFi records.
  expect(kinds.filter((k) => k.startsWith("pmg:"))).toHaveLength(12);
  expect(kinds.filter((k) => k.startsWith("stalwart:"))).toHaveLength(10);
  expect(kinds.filter((k) => k.startsWith("unifi:"))).toHaveLength(2);

  const seen = counters();
  const pmgWrites = writes(bed.pmg.counters.requestsByRoute);
  // PMG: nothing created, no DELETE. A create is tried first (issue 15) and PMG refuses each list
  // entry's POST as a duplicate, changing nothing (the state checks below); the only changes are the
  // two settings the guide lacked.
  expect(pmgWrites).toEqual({
    "POST /config/mynetworks": 3,
    "POST /config/domains": 2,
    "POST /config/transport": 2,
    "POST /config/dkim/domains": 2,
    "PUT /config/mail": 1,
    "PUT /config/admin": 1,
  });
  expect(bed.pmg.state.mail.get("smarthost")).toBe("smtp.gmail.com");
  expect(Number(bed.pmg.state.mail.get("smarthostport"))).toBe(587);
  expect(Number(bed.pmg.state.admin.get("dkim_sign"))).toBe(1);
  // The guide's own settings are all still there: its relay, comments and DKIM key.
  expect(bed.pmg.state.mail.get("relay")).toBe("smtp.gmail.com");
  expect(bed.pmg.state.domains.get("example.net")?.comment).toBe("CTI service domain");
  expect(bed.pmg.state.transport.get("example.org")?.comment).toBe("Deliver to Stalwart");
  expect(bed.pmg.state.dkimDomains.get("example.net")?.comment).toBe("CTI domain");
  expect(bed.pmg.state.mynetworks.size).toBe(3);
  expect(bed.pmg.state.dkimKeys.get("pmg2026")).toBe(guideDkimKey());

  // Stalwart: the same ten principals under the same ids; only the eight plain-text passwords are
  // re-stored as hashes (same password), nothing else.
  // Each create is tried first and refused (fieldAlreadyExists): the principals' ids below are unchanged.
  expect(writes(bed.stalwart.counters.requestsByRoute)).toEqual({
    "POST /api/principal": 10,
    "PATCH /api/principal/{name}": 8,
  });
  expect([...bed.stalwart.rest.principals.keys()]).toEqual(principalsBefore);
  for (const p of bed.stalwart.rest.principals.values()) {
    if (p.type !== "individual") continue;
    expect(p.secrets[0]).toMatch(/^\$/);
    expect(bed.stalwart.rest.login(p.name, GUIDE_SHARED_PASSWORD)).toBeDefined();
  }
  expect(bed.stalwart.rest.byName("example.net")?.description).toBe("CTI service domain");
  expect(bed.stalwart.rest.byName("noreply")?.description).toBe("Service notifications");

  // UniFi: the two records as they were, no write at all.
  expect(writes(bed.unifi.counters.requestsByRoute)).toEqual({});
  expect(bed.unifi.store.records.map((r) => r.v2Id)).toEqual(recordsBefore);

  // The next `up` (after a refresh) finds nothing to do and writes nothing.
  resetCounters();
  const second = await up(bed.config, first.states);
  expect(Object.keys(second.steps)).toEqual(["same"]);
  expect(second.steps.same).toHaveLength(first.resources.length);
  expect([
    writes(bed.pmg.counters.requestsByRoute),
    writes(bed.stalwart.counters.requestsByRoute),
    writes(bed.unifi.counters.requestsByRoute),
  ]).toEqual([{}, {}, {}]);
  // For the report: requests by method in the first run.
  console.log(`guide adoption, first up, requests by method: ${JSON.stringify(seen)}`);
}, 180_000);

it("keeps every comment and description the stack does not declare, and changes a declared one without refusing", async () => {
  reseed();
  resetCounters();
  const c = structuredClone(bed.config) as Record<string, Record<string, unknown>>;
  // Nothing declared: the guide's labels are kept.
  delete c.pmg.comments;
  delete c.stalwart.domainDescriptions;
  c.stalwart.accounts = (c.stalwart.accounts as Record<string, unknown>[]).map(
    ({ description: _d, ...a }) => a,
  );
  await up(c);
  // Besides the creates PMG refuses as duplicates (tried first, issue 15; they change nothing).
  const refusedCreates = /^POST \/config\/(mynetworks|domains|transport|dkim\/domains)$/;
  expect(
    Object.keys(writes(bed.pmg.counters.requestsByRoute))
      .filter((r) => !refusedCreates.test(r))
      .sort(),
  ).toEqual(["PUT /config/admin", "PUT /config/mail"]);
  expect(bed.stalwart.rest.byName("example.org")?.description).toBe("Brand domain");
  expect(bed.stalwart.rest.byName("misp")?.description).toBe("MISP alerts");

  // Declared differently (the program's old "deliver to Stalwart"; new descriptions): changed in place.
  reseed();
  resetCounters();
  const d = structuredClone(bed.config) as Record<string, Record<string, unknown>>;
  d.pmg.comments = { transports: { "example.net": "deliver to Stalwart" } };
  d.stalwart.domainDescriptions = { "example.org": "Brand" };
  const run = await up(d);
  expect(Object.keys(run.steps)).toEqual(["create"]);
  expect(writes(bed.pmg.counters.requestsByRoute)).toEqual({
    "POST /config/mynetworks": 3,
    "POST /config/domains": 2,
    "POST /config/transport": 2,
    "POST /config/dkim/domains": 2,
    "PUT /config/mail": 1,
    "PUT /config/admin": 1,
    "PUT /config/transport/{domain}": 1,
  });
  expect(bed.pmg.state.transport.get("example.net")?.comment).toBe("deliver to Stalwart");
  expect(bed.pmg.state.transport.get("example.org")?.comment).toBe("Deliver to Stalwart");
  expect(bed.stalwart.rest.byName("example.org")?.description).toBe("Brand");
  expect(bed.stalwart.rest.byName("example.net")?.description).toBe("CTI service domain");
}, 180_000);
