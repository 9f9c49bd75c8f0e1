import { exampleConfig } from "../lib/config.test";
import { runProgram } from "./mocks";

const SECRETS = {
  pmgPassword: "test-only-pmg",
  stalwartPassword: "test-only-stalwart",
  pmgSshPrivateKey: "test-only-key",
  gmailFetchmailPassword: "test-only-fetch",
  gmailSmarthostPassword: "test-only-smarthost",
};

describe("index.ts with Pulumi.homelab.yaml", () => {
  it("registers the PMG side of the chain", async () => {
    const resources = await runProgram(exampleConfig(), SECRETS);
    const ofType = (t: string) => resources.filter((r) => r.type === `pulumi-nodejs:dynamic/pmg:${t}`);

    expect(ofType("PmgTrustedNetwork").map((r) => r.inputs.cidr)).toEqual([
      "192.0.2.0/24",
      "198.51.100.0/24",
      "203.0.113.0/24",
    ]);
    expect(ofType("PmgRelayDomain").map((r) => r.inputs.domain)).toEqual(["example.net", "example.org"]);
    expect(ofType("PmgTransport").map((r) => [r.inputs.domain, r.inputs.host, r.inputs.port])).toEqual([
      ["example.net", "192.0.2.20", 25],
      ["example.org", "192.0.2.20", 25],
    ]);
    expect(ofType("PmgDkimDomain").map((r) => r.inputs.domain)).toEqual(["example.net", "example.org"]);
    expect(ofType("PmgSmarthost").map((r) => [r.inputs.host, r.inputs.port])).toEqual([
      ["smtp.gmail.com", 587],
    ]);
    expect(ofType("PmgDkimSelector").map((r) => [r.inputs.selector, r.inputs.keySize])).toEqual([
      ["pmg2026", 2048],
    ]);
    expect(resources.filter((r) => r.type === "homelab:mail:MailChain")).toHaveLength(1);
  });

  it("keeps every credential out of the resources' inputs", async () => {
    const resources = await runProgram(exampleConfig(), SECRETS);
    const text = JSON.stringify(resources);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it("registers nothing when the config is invalid, and names every bad key", async () => {
    const raw = exampleConfig();
    raw.pmg = { ...(raw.pmg as object), trustedNetworks: ["10.0.0.1/8"] };
    let registered: unknown[] = [];
    await expect(
      (async () => {
        registered = await runProgram(raw, { pmgPassword: "x" });
      })(),
    ).rejects.toThrow(/pmg\.trustedNetworks\[0\].*10\.0\.0\.0\/8[\s\S]*homelab-mail:stalwartPassword/);
    expect(registered).toEqual([]);
  });
});
