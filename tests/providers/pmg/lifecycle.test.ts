/**
 * Every PMG list resource through the whole lifecycle the engine can drive, table-driven:
 * create, no-op, update, replace, drift, adoption, refused adoption, bad input, delete of a missing object.
 */
import { CheckFailed, type Engine } from "../engine";
import { startPmgBed, type PmgBed } from "./bed";
import type { PmgState } from "../../servers/pmg/state";

interface Case {
  kind: string;
  key: string;
  first: Record<string, unknown>;
  changed: Record<string, unknown>;
  otherKey: string;
  bad: Record<string, unknown>;
  map: (s: PmgState) => Map<string, any>;
  handEdit: Record<string, unknown>;
  /** Only a comment can differ: adopting changes it without adoptExisting. */
  labelOnly?: boolean;
}

const CASES: Case[] = [
  {
    kind: "pmg:PmgTrustedNetwork",
    key: "cidr",
    first: { cidr: "192.0.2.0/24", comment: "lan" },
    changed: { comment: "vlan 101" },
    otherKey: "203.0.113.0/24",
    bad: { cidr: "192.0.2.0/33" },
    map: (s) => s.mynetworks,
    handEdit: { comment: "by hand" },
    labelOnly: true,
  },
  {
    kind: "pmg:PmgRelayDomain",
    key: "domain",
    first: { domain: "example.net", comment: "CTI" },
    changed: { comment: "CTI service domain" },
    otherKey: "example.org",
    bad: { domain: "example..net" },
    map: (s) => s.domains,
    handEdit: { comment: "by hand" },
    labelOnly: true,
  },
  {
    kind: "pmg:PmgDkimDomain",
    key: "domain",
    first: { domain: "example.net", comment: "CTI" },
    changed: { comment: "CTI domain" },
    otherKey: "example.org",
    bad: { domain: "-example.net" },
    map: (s) => s.dkimDomains,
    handEdit: { comment: "by hand" },
    labelOnly: true,
  },
  {
    kind: "pmg:PmgTransport",
    key: "domain",
    first: { domain: "example.net", host: "192.0.2.20", port: 25 },
    changed: { port: 2525 },
    otherKey: "example.org",
    bad: { domain: "example.net", host: "192.0.2.20", protocol: "uucp" },
    map: (s) => s.transport,
    handEdit: { host: "192.0.2.99", protocol: "smtp", port: "25", use_mx: 0, comment: "" },
  },
];

// One stand-in and two provider hosts for every case: hosts are the slow part (each compiles the providers).
let bed: PmgBed;
/** A second host, as a second `pulumi up` from another machine would be. */
let other: Engine;
beforeAll(async () => {
  bed = await startPmgBed();
  other = await bed.engineWith({});
});
afterAll(() => bed.close());

describe.each(CASES)("$kind through the provider host", (c) => {
  beforeEach(() => bed.pmg.reset());

  it("creates, does nothing when nothing changed, updates in place and replaces on a new key", async () => {
    const { engine, pmg, endpoint } = bed;
    const created = await engine.up(c.kind, { endpoint, ...c.first });
    expect(c.map(pmg.state).has(String(c.first[c.key]))).toBe(true);
    expect(JSON.stringify(created.state)).not.toContain(pmg.password);
    const same = await engine.up(c.kind, { endpoint, ...c.first }, created.state);
    expect(same.step).toBe("same");
    const updated = await engine.up(c.kind, { endpoint, ...c.first, ...c.changed }, same.state);
    expect(updated.step).toBe("update");
    expect(updated.state.outputs).toMatchObject(c.changed);
    const replaced = await engine.up(
      c.kind,
      { endpoint, ...c.first, ...c.changed, [c.key]: c.otherKey },
      updated.state,
    );
    expect([replaced.step, replaced.replaces]).toEqual(["replace", [c.key]]);
    expect([...c.map(pmg.state).keys()]).toEqual([c.otherKey]);
    await engine.destroy(replaced.state);
    expect(c.map(pmg.state).size).toBe(0);
    await expect(engine.destroy(replaced.state)).resolves.toBeUndefined();
  });

  it("shows a hand edit on refresh, converges it, and drops a hand-deleted object from state", async () => {
    const { engine, pmg, endpoint } = bed;
    const { state } = await engine.up(c.kind, { endpoint, ...c.first });
    c.map(pmg.state).set(String(c.first[c.key]), c.handEdit);
    const drifted = (await engine.refresh(state))!;
    expect(drifted.outputs).not.toEqual(state.outputs);
    expect((await engine.up(c.kind, { endpoint, ...c.first }, drifted)).step).toBe("update");
    expect((await engine.refresh(state))!.outputs).toEqual(state.outputs);
    c.map(pmg.state).clear();
    expect(await engine.refresh(state)).toBeUndefined();
  });

  it("adopts an identical object; a differing label is changed, a differing setting refused without a change", async () => {
    const { engine, pmg, endpoint } = bed;
    const made = await engine.up(c.kind, { endpoint, ...c.first });
    const adopted = await other.up(c.kind, { endpoint, ...c.first });
    expect(adopted.state.outputs).toEqual(made.state.outputs);
    const before = JSON.stringify([...c.map(pmg.state)]);
    if (c.labelOnly) {
      const relabelled = await engine.up(c.kind, { endpoint, ...c.first, ...c.changed });
      expect(relabelled.state.outputs).toMatchObject(c.changed);
      return;
    }
    await expect(engine.up(c.kind, { endpoint, ...c.first, ...c.changed })).rejects.toThrow(
      /already exists and differs .* Nothing was changed/,
    );
    expect(JSON.stringify([...c.map(pmg.state)])).toBe(before);
  });

  it("rejects bad input before any request", async () => {
    const { engine, pmg, endpoint } = bed;
    const requests = pmg.counters.requests;
    await expect(engine.up(c.kind, { endpoint, ...c.first, ...c.bad })).rejects.toBeInstanceOf(CheckFailed);
    expect(pmg.counters.requests).toBe(requests);
  });
});
