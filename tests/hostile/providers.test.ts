/**
 * Hostile values handed straight to every resource kind, through the provider host: each fails
 * `check` naming the property, before any request. Every system's stand-in is running and
 * configured, so "no request" is measured, not assumed. Writes docs/hostile-resource-inputs.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { registry } from "../../providers/registry";
import { CheckFailed } from "../providers/engine";
import { startHostileBed, type HostileBed } from "./bed";
import { PMG_CASES, PMGHOST_CASES, STALWART_CASES, UNIFI_CASES, type ResourceCase } from "./resourceCases";

const CASES: ResourceCase[] = [
  ...PMG_CASES,
  ...STALWART_CASES,
  ...UNIFI_CASES,
  // The PMG host resources, where they exist in this checkout.
  ...PMGHOST_CASES.filter(([kind]) => kind in registry),
];

const cell = (s: string, max: number) =>
  s.slice(0, max).replace(/\|/g, "\\|").replace(/\n/g, "\\n").replace(/\r/g, "\\r");

describe("hostile resource inputs", () => {
  let bed: HostileBed;
  const rows: string[] = [];
  beforeAll(async () => {
    bed = await startHostileBed();
  });
  afterAll(async () => {
    await bed.close();
    const doc = [
      "# Hostile resource inputs",
      "",
      "Written by `tests/hostile/providers.test.ts`: values handed straight to a resource, through the",
      "provider host, with every system's stand-in running and configured. Each fails `check` naming the",
      "property, and no stand-in saw a request (the PMG host's SSH port saw no connection).",
      "",
      "| kind | property | value | reason |",
      "| --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n");
    fs.writeFileSync(path.join(__dirname, "../../docs/hostile-resource-inputs.md"), doc);
  });

  it("covers every resource kind of PMG, Stalwart and UniFi, and the PMG host's where they exist", () => {
    const kinds = new Set(CASES.map(([kind]) => kind));
    const expected = Object.keys(registry).filter((k) => /^(pmg|pmghost|stalwart|unifi):/.test(k));
    expect([...kinds].sort()).toEqual(expected.sort());
  });

  it.each(CASES)("%s rejects %j in check, naming %s, with no request", async (kind, inputs, property) => {
    const before = bed.contacts();
    const system = kind.split(":")[0];
    const err = await bed.engine.up(kind, { ...bed.target(system), ...inputs }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckFailed);
    const failure = (err as CheckFailed).failures.find((f) => f.property === property);
    expect([property, failure?.reason]).toEqual([property, expect.any(String)]);
    expect(failure!.reason).not.toContain("hunter2");
    expect(bed.contacts()).toBe(before);
    const value = JSON.stringify(inputs[property] ?? inputs[property.split(/[.[]/)[0]]);
    rows.push(`| ${kind} | ${cell(property, 40)} | \`${cell(value, 40)}\` | ${cell(failure!.reason, 90)} |`);
  });
});
