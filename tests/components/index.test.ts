import { exampleConfig } from "../lib/config.test";
import * as pulumi from "@pulumi/pulumi";
import type { AccountOutput } from "../../lib/outputs";
import { lastRun, runProgram } from "./mocks";

const SECRETS = {
  pmgPassword: "test-only-pmg",
  stalwartPassword: "test-only-stalwart",
  pmgSshPrivateKey: "test-only-key",
  gmailFetchmailPassword: "test-only-fetch",
  gmailSmarthostPassword: "test-only-smarthost",
  unifiApiKey: "test-only-unifi-key",
};

describe("index.ts with the test stack's config", () => {
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

  it("registers the PMG host resources when pmg.ssh and fetchmail are set, and none without pmg.ssh", async () => {
    const host = (t: string) => `pulumi-nodejs:dynamic/pmghost:${t}`;
    const kinds = [
      host("FetchmailConfig"),
      host("SaslPasswordMap"),
      host("PostfixTemplateBlock"),
      host("PmgConfigSync"),
    ];
    const all = await runProgram(exampleConfig(), SECRETS);
    const resources = kinds.map((k) => all.filter((r) => r.type === k));
    expect(resources.map((rs) => rs.map((r) => [r.inputs.sshHost, r.inputs.sshPort]))).toEqual(
      kinds.map(() => [["192.0.2.10", 22]]),
    );
    expect(resources[0][0].inputs).toMatchObject({
      server: "imap.gmail.com",
      user: "lab-service-box@example.com",
      folder: "INBOX",
      pollSeconds: 120,
    });
    expect(resources[1][0].inputs).toMatchObject({
      relayHost: "smtp.gmail.com",
      relayPort: 587,
      username: "lab-service-box@example.com",
    });

    const raw = exampleConfig();
    const { ssh: _ssh, ...pmg } = raw.pmg as Record<string, unknown>;
    const withoutSsh = await runProgram({ ...raw, pmg }, SECRETS);
    expect(withoutSsh.filter((r) => kinds.includes(r.type))).toEqual([]);
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

  it("registers the two internal DNS records when unifi is configured, and none when it is absent", async () => {
    const UNIFI_RECORD = "pulumi-nodejs:dynamic/unifi:UnifiDnsRecord";
    expect((await runProgram(exampleConfig(), SECRETS)).filter((r) => r.type === UNIFI_RECORD)).toEqual([]);

    const raw = { ...exampleConfig(), unifi: { endpoint: "https://192.0.2.1" } };
    const records = (await runProgram(raw, SECRETS)).filter((r) => r.type === UNIFI_RECORD);
    expect(records.map((r) => [r.inputs.name, r.inputs.type, r.inputs.value, r.inputs.endpoint])).toEqual([
      ["pmg.lab.local", "A", "192.0.2.10", "https://192.0.2.1"],
      ["mail.lab.local", "A", "192.0.2.20", "https://192.0.2.1"],
    ]);
    expect(JSON.stringify(records)).not.toContain(SECRETS.unifiApiKey);
  });

  it("registers one Stalwart domain principal per domain and one individual per account, and exports the accounts as a secret", async () => {
    const resources = await runProgram(exampleConfig(), SECRETS);
    const principals = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/stalwart:StalwartPrincipal");
    const of = (type: string) => principals.filter((r) => r.inputs.type === type).map((r) => r.inputs.name);
    expect(of("domain")).toEqual(["example.net", "example.org"]);
    expect(of("individual").sort()).toEqual([
      "ai",
      "ioc",
      "misp",
      "noreply",
      "opencti",
      "thehive",
      "ti",
      "wazuh",
    ]);
    const accounts = lastRun.exports.accounts as pulumi.Output<Record<string, AccountOutput>>;
    expect(await pulumi.isSecret(accounts)).toBe(true);
    const value = await new Promise<Record<string, AccountOutput>>((resolve) => accounts.apply(resolve));
    expect(Object.keys(value)).toHaveLength(8);
    expect(value.noreply).toEqual({
      login: "noreply",
      addresses: ["noreply@example.net", "noreply@example.org"],
      password: "mock-password-noreply",
    });
    expect(lastRun.exports.imap).toEqual({ host: "192.0.2.20", port: 993, security: "tls" });
  });
});
