import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { exampleConfig } from "../lib/config.test";

interface Seen {
  type: string;
  name: string;
  inputs: Record<string, any>;
  dependsOn: string[];
  secretOutputs: string[];
}

/** Builds a PmgHost under mocks, recording each resource with its inputs, explicit dependencies and secret outputs. */
async function build(smarthostUser?: string): Promise<Seen[]> {
  const seen = new Map<string, Seen>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        seen.get(args.name)!.inputs = args.inputs;
        // Each host file resource reports how often it wrote: the sync's triggers are built from these.
        const writes = {
          FetchmailConfig: 3,
          SaslPasswordMap: 2,
          SmarthostTlsPolicy: 4,
          PostfixTemplateBlock: 1,
        }[args.type.split(":").pop()!];
        return { id: `${args.name}-id`, state: { ...args.inputs, writes } };
      },
      call: (args) => args.inputs,
    },
    "homelab-mail",
    "homelab",
    false,
  );
  const recorder: pulumi.ResourceTransformation = (args) => {
    const deps = ([] as pulumi.Input<pulumi.Resource>[]).concat(
      (args.opts.dependsOn ?? []) as pulumi.Input<pulumi.Resource>[],
    );
    const names = deps.map((r) => (r as unknown as { __name: string }).__name);
    seen.set(args.name, {
      type: args.type,
      name: args.name,
      inputs: {},
      dependsOn: names,
      secretOutputs: (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [],
    });
    return undefined;
  };
  const raw = exampleConfig();
  if (smarthostUser)
    raw.pmg = {
      ...(raw.pmg as object),
      smarthost: { host: "smtp.gmail.com", port: 587, user: smarthostUser },
    };
  const config = validateConfig(raw, new Set(SECRET_KEYS));
  const { PmgHost } = await import("../../components/PmgHost");
  new PmgHost(
    "pmghost",
    { pmg: { ...config.pmg, ssh: config.pmg.ssh! }, fetchmail: config.fetchmail! },
    { transformations: [recorder] },
  );
  await new Promise((r) => setTimeout(r, 100));
  return [...seen.values()];
}

describe("PmgHost", () => {
  let seen: Seen[];
  beforeAll(async () => {
    seen = await build();
  });
  const named = (n: string) => seen.find((s) => s.name === n)!;

  it("registers fetchmail, the SASL map, the template block and the sync on the configured host", () => {
    expect(seen.map((s) => [s.type, s.name])).toEqual([
      ["homelab:pmg:PmgHost", "pmghost"],
      ["pulumi-nodejs:dynamic/pmghost:FetchmailConfig", "pmghost-fetchmail"],
      ["pulumi-nodejs:dynamic/pmghost:SaslPasswordMap", "pmghost-sasl"],
      ["pulumi-nodejs:dynamic/pmghost:SmarthostTlsPolicy", "pmghost-tls"],
      ["pulumi-nodejs:dynamic/pmghost:PostfixTemplateBlock", "pmghost-maincf"],
      ["pulumi-nodejs:dynamic/pmghost:PmgConfigSync", "pmghost-sync"],
    ]);
    for (const s of seen.slice(1)) expect(s.inputs).toMatchObject({ sshHost: "192.0.2.10", sshPort: 22 });
    expect(named("pmghost-sasl").inputs).toMatchObject({
      relayHost: "smtp.gmail.com",
      relayPort: 587,
      username: "lab-service-box@example.com",
    });
    expect(named("pmghost-maincf").inputs.parameters).toEqual({
      smtp_sasl_auth_enable: "yes",
      smtp_sasl_password_maps: "hash:/etc/postfix/sasl_passwd",
      smtp_sasl_security_options: "noanonymous",
      smtp_tls_policy_maps: "hash:/etc/postfix/smarthost_tls_policy",
    });
    expect(named("pmghost-tls").inputs).toMatchObject({ relayHost: "smtp.gmail.com", relayPort: 587 });
    // Multidrop to the addresses Cloudflare routes to the service box, with the fallback declared.
    expect(named("pmghost-fetchmail").inputs).toMatchObject({
      user: "lab-service-box@example.com",
      localNames: expect.arrayContaining(["thehive@example.net", "noreply@example.org"]),
      fallbackRecipient: "postmaster@example.net",
      envelope: "none",
    });
  });

  it("runs the sync after every host file, triggered by their write counters, and adds the block after the map", () => {
    expect(named("pmghost-sync").dependsOn).toEqual([
      "pmghost-fetchmail",
      "pmghost-sasl",
      "pmghost-tls",
      "pmghost-maincf",
    ]);
    expect(named("pmghost-sync").inputs.triggers).toEqual({ fetchmail: 3, sasl: 2, tls: 4, template: 1 });
    // Every block parameter but the merged policy map line is checked in the rendered main.cf.
    const { smtp_tls_policy_maps: _merged, ...plain } = named("pmghost-maincf").inputs.parameters;
    expect(named("pmghost-sync").inputs.expect).toEqual(plain);
    expect(named("pmghost-maincf").dependsOn).toEqual(["pmghost-sasl", "pmghost-tls"]);
  });

  it("keeps the content hashes secret, since the files hold passwords", () => {
    expect(named("pmghost-fetchmail").secretOutputs).toEqual(["sha256"]);
    expect(named("pmghost-sasl").secretOutputs).toEqual(["sha256"]);
  });

  it("relays as pmg.smarthost.user when it is set", async () => {
    const other = await build("relay-user@example.com");
    expect(other.find((s) => s.name === "pmghost-sasl")!.inputs.username).toBe("relay-user@example.com");
  });
});
