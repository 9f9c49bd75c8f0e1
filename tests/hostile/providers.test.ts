import * as fs from "node:fs";
import * as path from "node:path";
import { CheckFailed } from "../providers/engine";
import { startPmgBed, type PmgBed } from "../providers/pmg/bed";

/** Hostile values handed straight to the resources (a program that skips the config validation). */
const CASES: [kind: string, inputs: Record<string, unknown>, property: string][] = [
  ["pmg:PmgTrustedNetwork", { cidr: "0.0.0.0/0" }, "cidr"],
  ["pmg:PmgTrustedNetwork", { cidr: "192.0.2.0/24 #x" }, "cidr"],
  ["pmg:PmgTrustedNetwork", { cidr: "192.0.2.0/24", comment: "x\n10.0.0.0/8" }, "comment"],
  ["pmg:PmgRelayDomain", { domain: "example.net\nevil.example" }, "domain"],
  ["pmg:PmgRelayDomain", { domain: "ex\u0430mple.net" }, "domain"],
  ["pmg:PmgRelayDomain", { domain: "example.net", comment: "x".repeat(5000) }, "comment"],
  ["pmg:PmgDkimDomain", { domain: "../../etc" }, "domain"],
  ["pmg:PmgTransport", { domain: "example.net", host: "[192.0.2.20]:25" }, "host"],
  ["pmg:PmgTransport", { domain: "example.net", host: "192.0.2.20", port: 0 }, "port"],
  ["pmg:PmgTransport", { domain: "example.net", host: "192.0.2.20", protocol: "smtp;rm" }, "protocol"],
  ["pmg:PmgTransport", { domain: "example.net", host: "192.0.2.20", useMx: "1" }, "useMx"],
  ["pmg:PmgSmarthost", { host: "$(reboot)" }, "host"],
  ["pmg:PmgSmarthost", { host: "smtp.gmail.com", port: 1e6 }, "port"],
  ["pmg:PmgDkimSigning", { enabled: "true" }, "enabled"],
  ["pmg:PmgDkimSigning", { enabled: true, useDomain: "both" }, "useDomain"],
  ["pmg:PmgDkimSelector", { selector: "../pmg2026", keySize: 2048 }, "selector"],
  ["pmg:PmgDkimSelector", { selector: "pmg2026", keySize: 100000 }, "keySize"],
  ["pmg:PmgTrustedNetwork", { cidr: "192.0.2.0/24", password: "hunter2" }, "password"],
];

describe("hostile resource inputs", () => {
  let bed: PmgBed;
  const rows: string[] = [];
  beforeAll(async () => {
    bed = await startPmgBed();
  });
  afterAll(async () => {
    await bed.close();
    const doc = [
      "# Hostile resource inputs",
      "",
      "Written by `tests/hostile/providers.test.ts`: values handed straight to a resource, through the",
      "provider host. Each fails `check` naming the property; the stand-in server saw no request.",
      "",
      "| kind | property | value | reason |",
      "| --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n");
    fs.writeFileSync(path.join(__dirname, "../../docs/hostile-resource-inputs.md"), doc);
  });

  it.each(CASES)("%s rejects %j in check, naming %s, with no request", async (kind, inputs, property) => {
    const requests = bed.pmg.counters.requests;
    const err = await bed.engine.up(kind, { endpoint: bed.endpoint, ...inputs }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckFailed);
    const failure = (err as CheckFailed).failures.find((f) => f.property === property);
    expect(failure?.reason).toEqual(expect.any(String));
    expect(failure!.reason).not.toContain("hunter2");
    expect(bed.pmg.counters.requests).toBe(requests);
    const value = JSON.stringify(inputs[property]).slice(0, 40).replace(/\|/g, "\\|");
    rows.push(
      `| ${kind} | ${property} | \`${value}\` | ${failure!.reason.slice(0, 90).replace(/\|/g, "\\|")} |`,
    );
  });
});
