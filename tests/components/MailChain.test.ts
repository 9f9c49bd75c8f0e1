import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS, validateConfig, type MailChainConfig } from "../../lib/config";
import { formatTxtContent } from "../../lib/records";
import { exampleConfig } from "../lib/config.test";
import { CloudflareMockEngine } from "./cloudflareMock";

const TXT_RECORD = "pulumi-nodejs:dynamic/cloudflare:CloudflareTxtRecord";
const DESTINATION = "pulumi-nodejs:dynamic/cloudflare:CloudflareDestinationAddress";

interface Seen {
  type: string;
  name: string;
  inputs: Record<string, any>;
  dependsOn: string[];
  protect?: boolean;
  ignoreChanges?: string[];
}

const TXT = `v=DKIM1; h=sha256; k=rsa; p=${"Q".repeat(392)}`;

/**
 * Builds a MailChain under mocks, recording every resource with its inputs and its explicit
 * dependencies; Cloudflare resources and invokes go to a stand-in (`verified`: destinations that
 * exist and are verified before the run).
 */
async function build(
  config: MailChainConfig,
  verified: string[] = [],
): Promise<{
  seen: Seen[];
  steps: string[];
  mailRecords: Record<string, { spf: string; dmarc: string }>;
  smtpRelay?: unknown;
}> {
  const seen = new Map<string, Seen>();
  const cf = await CloudflareMockEngine.start({
    accountId: config.cloudflareAccountId,
    zones: config.domains.map((d) => d.name),
    zoneIds: config.domains.map((d) => d.cloudflareZoneId),
  });
  for (const email of verified) {
    cf.server.model.createAddress(cf.server.model.accountId, { email });
    cf.server.model.markVerified(email);
  }
  await cf.beginRun(false);
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const entry = seen.get(args.name) ?? { type: args.type, name: args.name, inputs: {}, dependsOn: [] };
        entry.inputs = args.inputs;
        seen.set(args.name, entry);
        if (cf.handles(args.type)) return cf.newResource(args);
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type.endsWith(":PmgDkimSelector"))
          Object.assign(state, { txtValue: TXT, publicKey: "Q", active: true });
        // PMG's int_port as GET /config/mail reports it (the provider fills in PMG's default 26).
        if (args.type.endsWith(":PmgSmarthost")) Object.assign(state, { internalPort: 2626 });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => (args.token.startsWith("cloudflare:") ? cf.call(args) : args.inputs),
    },
    "homelab-mail",
    "homelab",
    false,
  );
  const recorder: pulumi.ResourceTransformation = (args) => {
    const deps = (args.opts.dependsOn ?? []) as pulumi.Resource[];
    const names = (Array.isArray(deps) ? deps : [deps])
      .map((r) => (r as unknown as { __name?: string }).__name)
      .filter((n): n is string => n !== undefined);
    seen.set(args.name, {
      type: args.type,
      name: args.name,
      inputs: {},
      dependsOn: names,
      protect: args.opts.protect,
      ignoreChanges: args.opts.ignoreChanges,
    });
    return undefined;
  };
  const { MailChain } = await import("../../components/MailChain");
  const chain = new MailChain("chain", { config }, { transformations: [recorder] });
  const steps = await new Promise<string[]>((resolve) => chain.pendingSteps.apply(resolve));
  const smtpRelay = await new Promise<unknown>((resolve) => chain.smtpRelay.apply(resolve));
  await new Promise((r) => setTimeout(r, 100));
  await cf.endRun();
  if (cf.errors.length > 0) throw new Error(cf.errors.join("\n"));
  await cf.close();
  return { seen: [...seen.values()], steps, mailRecords: chain.mailRecords, smtpRelay };
}

const config = () => validateConfig(exampleConfig(), new Set(SECRET_KEYS));

describe("MailChain", () => {
  let seen: Seen[];
  let steps: string[];
  let mailRecords: Record<string, { spf: string; dmarc: string }>;
  let smtpRelay: unknown;
  const ofType = (t: string) => seen.filter((r) => r.type === t);
  beforeAll(async () => {
    ({ seen, steps, mailRecords, smtpRelay } = await build(config(), [
      "lab-service-box@example.com",
      "lab-personal-box@example.com",
    ]));
  });

  it("exports PMG's internal port as the relay, the external port only as inboundPort", () => {
    expect(smtpRelay).toEqual({
      host: "pmg.lab.example.net",
      port: 2626,
      inboundPort: 25,
      auth: "none (trusted networks)",
    });
  });

  it("enables Email Routing once per zone, protected, without a name, and never plans an update of it", () => {
    const routing = ofType("cloudflare:index/emailRoutingDns:EmailRoutingDns");
    expect(routing.map((r) => [r.inputs.zoneId, r.inputs.name, r.protect, r.ignoreChanges])).toEqual([
      ["00000000000000000000000000000001", undefined, true, ["name", "subdomain"]],
      ["00000000000000000000000000000002", undefined, true, ["name", "subdomain"]],
    ]);
  });

  it("adds one rule per routed address, to the right destination", () => {
    const rules = ofType("cloudflare:index/emailRoutingRule:EmailRoutingRule");
    const c = config();
    expect(rules).toHaveLength(c.routing!.serviceAddresses.length + c.routing!.personalAddresses.length);
    const forward = Object.fromEntries(
      rules.map((r) => [r.inputs.matchers[0].value, r.inputs.actions[0].values[0]]),
    );
    for (const a of c.routing!.serviceAddresses) expect(forward[a]).toBe("lab-service-box@example.com");
    for (const a of c.routing!.personalAddresses) expect(forward[a]).toBe("lab-personal-box@example.com");
    expect(
      ofType(DESTINATION)
        .map((r) => r.inputs.email)
        .sort(),
    ).toEqual(["lab-personal-box@example.com", "lab-service-box@example.com"]);
  });

  it("publishes per domain one DKIM TXT computed from the selector's output, one SPF and one DMARC", () => {
    const txt = ofType(TXT_RECORD);
    for (const domain of ["example.net", "example.org"]) {
      const records = txt.filter(
        (r) => r.inputs.name === domain || String(r.inputs.name).endsWith(`.${domain}`),
      );
      expect(records.map((r) => r.inputs.name).sort()).toEqual(
        [`_dmarc.${domain}`, domain, `pmg2026._domainkey.${domain}`].sort(),
      );
      const content = (n: string) => records.find((r) => r.inputs.name === n)!.inputs.content;
      expect(content(`pmg2026._domainkey.${domain}`)).toBe(formatTxtContent(TXT));
      expect(content(domain)).toBe('"v=spf1 include:_spf.mx.cloudflare.net include:_spf.google.com ~all"');
      expect(content(`_dmarc.${domain}`)).toBe(`"v=DMARC1; p=none; rua=mailto:postmaster@${domain}"`);
    }
  });

  it("switches DKIM signing on only after the selector, the signing domains and every DKIM record", () => {
    const [signing] = ofType("pulumi-nodejs:dynamic/pmg:PmgDkimSigning");
    expect(signing.dependsOn).toEqual(
      expect.arrayContaining([
        "chain-pmg-dkim-selector",
        "chain-pmg-dkim-example.net",
        "chain-pmg-dkim-example.org",
        "chain-dns-example.net-dkim",
        "chain-dns-example.org-dkim",
      ]),
    );
  });

  it("sets the smarthost only after the PMG host's SASL map and template are synced", () => {
    const [smarthost] = ofType("pulumi-nodejs:dynamic/pmg:PmgSmarthost");
    expect(smarthost.dependsOn).toEqual(["chain-pmghost-sync"]);
  });

  it("exports the SPF and DMARC values it publishes, for verify to compare with DNS", () => {
    const spf = seen.find((r) => r.inputs.name === "example.net" && r.type === TXT_RECORD)!.inputs.content;
    expect(`"${mailRecords["example.net"].spf}"`).toBe(spf);
    expect(mailRecords["example.org"].dmarc).toBe("v=DMARC1; p=none; rua=mailto:postmaster@example.org");
  });

  it("has no pending step when both destinations are verified", () => {
    expect(steps).toEqual([]);
  });

  it("reports unverified destinations as pending human steps, and declares no rule to them", async () => {
    const fresh = await build(config());
    expect(fresh.steps).toEqual([
      expect.stringMatching(/^verify lab-personal-box@example\.com: open the link/),
      expect.stringMatching(/^verify lab-service-box@example\.com: open the link/),
    ]);
    expect(fresh.seen.filter((r) => r.type === "cloudflare:index/emailRoutingRule:EmailRoutingRule")).toEqual(
      [],
    );
  });

  it("refuses an SPF record over the DNS-lookup limit in config validation, before any resource", () => {
    const raw = exampleConfig();
    raw.dns = {
      spfExtraIncludes: [
        "a.example.net",
        "b.example.net",
        "c.example.net",
        "d.example.net",
        "e.example.net",
        "f.example.net",
      ],
    };
    expect(() => validateConfig(raw, new Set(SECRET_KEYS))).toThrow(
      /homelab-mail:dns\.spfExtraIncludes: .*at least 11 DNS lookups; the limit is 10/,
    );
  });
});
