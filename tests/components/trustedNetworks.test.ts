import { exampleConfig } from "../lib/config.test";
import { runProgram } from "./mocks";

const SECRETS = {
  pmgPassword: "test-only-pmg",
  stalwartPassword: "test-only-stalwart",
  pmgSshPrivateKey: "test-only-key",
  gmailFetchmailPassword: "test-only-fetch",
  gmailSmarthostPassword: "test-only-smarthost",
};
const KIND = "pulumi-nodejs:dynamic/pmg:PmgTrustedNetwork";

describe("index.ts and public trusted networks", () => {
  it("hands the acknowledgement to the acknowledged public network's resource, and to no other", async () => {
    const raw = exampleConfig();
    raw.pmg = {
      ...(raw.pmg as object),
      trustedNetworks: ["192.168.10.0/24", "8.8.8.0/24"],
      acknowledgePublicNetworks: ["8.8.8.0/24"],
    };
    const networks = (await runProgram(raw, SECRETS)).filter((r) => r.type === KIND);
    expect(networks.map((r) => [r.inputs.cidr, r.inputs.acknowledgePublic])).toEqual([
      ["192.168.10.0/24", undefined],
      ["8.8.8.0/24", true],
    ]);
  });

  it("registers nothing when a public network is not acknowledged", async () => {
    const raw = exampleConfig();
    raw.pmg = { ...(raw.pmg as object), trustedNetworks: ["192.168.10.0/24", "1.0.0.0/8"] };
    let registered: unknown[] = [];
    await expect(
      (async () => {
        registered = await runProgram(raw, SECRETS);
      })(),
    ).rejects.toThrow(/homelab-mail:pmg\.trustedNetworks\[1\]: 1\.0\.0\.0\/8 is public/);
    expect(registered).toEqual([]);
  });
});
