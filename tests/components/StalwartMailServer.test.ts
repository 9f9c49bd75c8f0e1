import * as pulumi from "@pulumi/pulumi";
import type { StalwartConfig } from "../../lib/config";

interface Seen {
  type: string;
  name: string;
  inputs: Record<string, any>;
  dependsOn: string[];
  aliases: string[];
}

const PRINCIPAL = "pulumi-nodejs:dynamic/stalwart:StalwartPrincipal";

/** Builds a StalwartMailServer under mocks; accounts come back as the server would answer (login, password). */
async function build(stalwart: StalwartConfig, api: "rest" | "jmap" = "rest") {
  const seen: Seen[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, unknown> = {
          ...args.inputs,
          api,
          principalId: "1",
          passwordDrift: false,
        };
        if (args.inputs.type === "individual") {
          Object.assign(state, {
            loginName: api === "rest" ? args.inputs.name : args.inputs.emails[0],
            password: `pw-${args.inputs.name}`,
          });
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "homelab-mail",
    "homelab",
    false,
  );
  const record: pulumi.ResourceTransformation = (args) => {
    const deps = (args.opts.dependsOn ?? []) as pulumi.Resource[];
    const name = (r: unknown) => (r as { __name: string }).__name;
    const aliases = ((args.opts.aliases ?? []) as { name?: string }[]).map((a) => String(a.name));
    seen.push({
      type: args.type,
      name: args.name,
      inputs: args.props as Record<string, any>,
      dependsOn: (Array.isArray(deps) ? deps : [deps]).map(name),
      aliases,
    });
    return undefined;
  };
  const { StalwartMailServer } = await import("../../components/StalwartMailServer");
  const server = new StalwartMailServer(
    "lab",
    { stalwart, domains: ["example.net", "example.org"] },
    { transformations: [record] },
  );
  const accounts = await new Promise<
    Record<string, { login: string; addresses: string[]; password: string }>
  >((r) => server.accountOutputs.apply(r));
  // Let registerOutputs reach this mock monitor before the next test installs another one.
  await new Promise((r) => setTimeout(r, 100));
  return { seen, server, accounts };
}

const STALWART: StalwartConfig = {
  endpoint: "https://192.0.2.20:443",
  username: "admin",
  imap: { host: "192.0.2.20", port: 993, security: "tls" },
  accounts: [
    {
      name: "noreply",
      emails: ["noreply@example.net", "noreply@example.org"],
      description: "Service notifications",
    },
    { name: "misp", emails: ["misp@example.net"], quota: 1073741824, formerNames: ["misp-alerts"] },
  ],
};

describe("StalwartMailServer", () => {
  it("registers one domain principal per domain and one individual per account, accounts after their domains", async () => {
    const { seen } = await build(STALWART);
    const principals = seen.filter((s) => s.type === PRINCIPAL);
    expect(principals.map((p) => [p.name, p.inputs.type, p.inputs.name])).toEqual([
      ["lab-domain-example.net", "domain", "example.net"],
      ["lab-domain-example.org", "domain", "example.org"],
      ["lab-account-noreply", "individual", "noreply"],
      ["lab-account-misp", "individual", "misp"],
    ]);
    const noreply = principals.find((p) => p.name === "lab-account-noreply")!;
    expect(noreply.inputs).toMatchObject({
      endpoint: "https://192.0.2.20:443",
      emails: STALWART.accounts[0].emails,
      roles: ["user"],
      quota: 0,
      allowMailboxDeletion: false,
    });
    expect(noreply.dependsOn).toEqual(["lab-domain-example.net", "lab-domain-example.org"]);
    expect(principals.find((p) => p.name === "lab-account-misp")!.inputs.quota).toBe(1073741824);
  });

  it("keeps a renamed account the same resource through its former names", async () => {
    const { seen } = await build(STALWART);
    expect(seen.find((s) => s.name === "lab-account-misp")!.aliases).toEqual(["lab-account-misp-alerts"]);
  });

  it("exports logins, addresses and passwords per account, as a secret", async () => {
    for (const api of ["rest", "jmap"] as const) {
      const { server, accounts } = await build(STALWART, api);
      expect(await pulumi.isSecret(server.accountOutputs)).toBe(true);
      expect(accounts.noreply).toEqual({
        login: api === "rest" ? "noreply" : "noreply@example.net",
        addresses: ["noreply@example.net", "noreply@example.org"],
        password: "pw-noreply",
      });
      expect(server.imap).toEqual({ host: "192.0.2.20", port: 993, security: "tls" });
    }
  });

  it("puts no credential in any input", async () => {
    const { seen } = await build(STALWART);
    expect(JSON.stringify(seen.map((s) => s.inputs))).not.toMatch(/password|secret/i);
  });

  it("warns on every run that acknowledged plain http crosses the network, and not for https or loopback (issue 14)", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
    const plain = () => warn.mock.calls.filter(([m]) => /plain http/.test(String(m)));
    try {
      await build({ ...STALWART, endpoint: "http://192.0.2.20:8080", allowPlainHttp: true });
      expect(plain()).toHaveLength(1);
      expect(String(plain()[0][0])).toMatch(/allowPlainHttp.*HTTPS listener.*tlsFingerprint/);
      warn.mockClear();
      await build({ ...STALWART, endpoint: "https://192.0.2.20:443" });
      await build({ ...STALWART, endpoint: "http://127.0.0.1:8080" });
      expect(plain()).toHaveLength(0);
    } finally {
      warn.mockRestore();
    }
  });
});
