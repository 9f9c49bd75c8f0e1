import {
  pendingFromPlan,
  planDestinations,
  planZoneRules,
  ruleName,
  type LiveRule,
} from "../../lib/cloudflarePlan";

const ZONE = "1".repeat(32);
const rule = (id: string, to: string, dest: string, extra: Partial<LiveRule> = {}): LiveRule => ({
  id,
  name: `Rule ${id}`,
  enabled: true,
  priority: 3,
  matchers: [{ type: "literal", field: "to", value: to }],
  actions: [{ type: "forward", values: [dest] }],
  ...extra,
});

describe("planDestinations", () => {
  it("finds an address the account has (any case) and reads its verification", () => {
    const plan = planDestinations(
      ["box@example.com", "me@example.com"],
      [{ id: "x1", email: "Box@Example.com", verified: "2026-01-01T00:00:00Z" }],
    );
    expect(plan).toEqual([
      { email: "box@example.com", id: "x1", verified: true },
      { email: "me@example.com", verified: false },
    ]);
  });
});

describe("planZoneRules", () => {
  const dests = [
    { email: "box@example.com", verified: true },
    { email: "me@example.com", verified: false },
  ];

  it("declares rules only to verified destinations and lets the others wait", () => {
    const plan = planZoneRules(
      ZONE,
      { "a@example.net": "box@example.com", "b@example.net": "me@example.com" },
      dests,
      [],
    );
    expect(plan.rules).toEqual([
      {
        address: "a@example.net",
        destination: "box@example.com",
        name: ruleName("a@example.net"),
        priority: 0,
      },
    ]);
    expect(plan.waiting).toEqual([{ address: "b@example.net", destination: "me@example.com" }]);
    expect(pendingFromPlan("example.net", plan).waiting).toEqual(
      new Map([["me@example.com", ["b@example.net"]]]),
    );
  });

  it("never imports a rule this stack made (an import id unlike its state id would replace it)", () => {
    const plan = planZoneRules(ZONE, { "a@example.net": "box@example.com" }, dests, [
      rule("r9", "a@example.net", "box@example.com", { name: ruleName("a@example.net"), priority: 0 }),
    ]);
    expect(plan.rules).toEqual([
      {
        address: "a@example.net",
        destination: "box@example.com",
        name: ruleName("a@example.net"),
        priority: 0,
      },
    ]);
  });

  it("imports a hand-made rule that already does the same, keeping its name and priority", () => {
    const plan = planZoneRules(ZONE, { "a@example.net": "box@example.com" }, dests, [
      rule("r1", "A@example.net", "box@example.com"),
    ]);
    expect(plan.rules).toEqual([
      {
        address: "a@example.net",
        destination: "box@example.com",
        name: "Rule r1",
        priority: 3,
        importId: `${ZONE}/r1`,
      },
    ]);
    expect(plan.strays).toEqual([]);
  });

  it("reports a rule for the address that forwards elsewhere or is disabled, and declares its own", () => {
    const plan = planZoneRules(ZONE, { "a@example.net": "box@example.com" }, dests, [
      rule("r1", "a@example.net", "old@example.com"),
      rule("r2", "a@example.net", "box@example.com", { enabled: false }),
    ]);
    expect(plan.rules.map((r) => r.importId)).toEqual([undefined]);
    expect(plan.strays.map((s) => [s.id, s.forwardsTo])).toEqual([
      ["r1", "old@example.com"],
      ["r2", "nothing (disabled)"],
    ]);
    expect(pendingFromPlan("example.net", plan).strays[0]).toMatch(
      /^delete the Email Routing rule "Rule r1" \(id r1\) on example\.net/,
    );
  });
});
