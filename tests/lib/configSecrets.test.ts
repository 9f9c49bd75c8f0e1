/**
 * Credentials in plain config (issue 14 item 2): a secret key set without `--secret`, read through
 * Pulumi's own runtime config exactly as the CLI hands it to the program, and credential-like key
 * names at any depth of a structured block. The value never appears in a message.
 */
import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";
import { loadStackConfig } from "../../lib/stackConfig";
import { exampleConfig } from "./config.test";

const VALUE = "test-only-plain-value";

/** The stack as the engine hands it over: every key's value, and the keys set with --secret. */
function stack(raw: Record<string, unknown>, values: Record<string, string>, secret: string[]) {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw))
    all[`homelab-mail:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(values)) all[`homelab-mail:${k}`] = v;
  pulumi.runtime.setAllConfig(
    all,
    secret.map((k) => `homelab-mail:${k}`),
  );
  return new pulumi.Config("homelab-mail");
}

function loadProblems(config: pulumi.Config): string[] {
  try {
    loadStackConfig(config);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

const secrets = Object.fromEntries(SECRET_KEYS.map((k) => [k, `${VALUE}-${k}`]));

describe("secret keys set without --secret", () => {
  it("the SDK still tells the program which keys are secret (runtime.isConfigSecret)", () => {
    stack({}, { pmgPassword: VALUE }, ["pmgPassword"]);
    const probe = (pulumi.runtime as unknown as { isConfigSecret: (k: string) => boolean }).isConfigSecret;
    expect(probe("homelab-mail:pmgPassword")).toBe(true);
    stack({}, { pmgPassword: VALUE }, []);
    expect(probe("homelab-mail:pmgPassword")).toBe(false);
  });

  it("accepts the example stack with every secret set encrypted", () => {
    expect(loadProblems(stack(exampleConfig(), secrets, SECRET_KEYS.slice()))).toEqual([]);
  });

  it.each(SECRET_KEYS.slice())("refuses %s in plain text with the exact command that fixes it", (key) => {
    const found = loadProblems(
      stack(
        exampleConfig(),
        secrets,
        SECRET_KEYS.filter((k) => k !== key),
      ),
    );
    expect(found).toEqual([
      `homelab-mail:${key}: is stored in plain text in Pulumi.<stack>.yaml (set without --secret); encrypt it: pulumi config set --secret homelab-mail:${key} (it prompts for the value), and rotate it if that file was ever committed or shared`,
    ]);
    expect(found.join("\n")).not.toContain(VALUE);
  });

  it("refuses any other credential-like key of the project in plain text (a typo or a future key)", () => {
    const found = loadProblems(
      stack(exampleConfig(), { ...secrets, smarthostPassword: VALUE, cloudflareToken: VALUE }, [
        ...SECRET_KEYS,
      ]),
    );
    expect(found.map((p) => p.split(": ")[0])).toEqual([
      "homelab-mail:cloudflareToken",
      "homelab-mail:smarthostPassword",
    ]);
    expect(found.join("\n")).not.toContain(VALUE);
  });

  it("refuses the Cloudflare provider's token in plain text too, and takes it encrypted", () => {
    const config = stack(exampleConfig(), secrets, [...SECRET_KEYS]);
    const all = { ...pulumi.runtime.allConfig(), "cloudflare:apiToken": VALUE };
    const secretKeys = SECRET_KEYS.map((k) => `homelab-mail:${k}`);
    pulumi.runtime.setAllConfig(all, secretKeys);
    expect(loadProblems(config)).toEqual([
      "cloudflare:apiToken: is stored in plain text in Pulumi.<stack>.yaml (set without --secret); encrypt it: pulumi config set --secret cloudflare:apiToken (it prompts for the value), and rotate it if that file was ever committed or shared",
    ]);
    pulumi.runtime.setAllConfig(all, [...secretKeys, "cloudflare:apiToken"]);
    expect(loadProblems(config)).toEqual([]);
  });

  it("leaves an empty value alone: it holds no credential", () => {
    expect(
      loadProblems(
        stack(
          exampleConfig(),
          { ...secrets, unifiApiKey: "" },
          SECRET_KEYS.filter((k) => k !== "unifiApiKey"),
        ),
      ),
    ).toEqual([]);
  });

  it("leaves other projects' keys alone (aws:secretKey belongs to its provider)", () => {
    const config = stack(exampleConfig(), secrets, [...SECRET_KEYS]);
    const all = { ...pulumi.runtime.allConfig(), "aws:secretKey": VALUE };
    pulumi.runtime.setAllConfig(
      all,
      SECRET_KEYS.map((k) => `homelab-mail:${k}`),
    );
    expect(pulumi.runtime.getConfig("aws:secretKey")).toBe(VALUE);
    expect(loadProblems(config)).toEqual([]);
  });
});

describe("credential-like keys inside structured blocks", () => {
  const nested: [string, (raw: any) => void][] = [
    ["pmg.smarthost.password", (r) => (r.pmg.smarthost.password = VALUE)],
    ["pmg.ssh.privateKey", (r) => (r.pmg.ssh.privateKey = VALUE)],
    ["pmg.ssh.password", (r) => (r.pmg.ssh.password = VALUE)],
    ["pmg.transport.password", (r) => (r.pmg.transport.password = VALUE)],
    ["pmg.dkim.privateKey", (r) => (r.pmg.dkim.privateKey = VALUE)],
    ["pmg.password", (r) => (r.pmg.password = VALUE)],
    ["stalwart.accounts[1].password", (r) => (r.stalwart.accounts[1].password = VALUE)],
    ["stalwart.imap.pass", (r) => (r.stalwart.imap = { pass: VALUE })],
    ["fetchmail.passwd", (r) => (r.fetchmail.passwd = VALUE)],
    ["routing.apiToken", (r) => (r.routing.apiToken = VALUE)],
    ["dns.cloudflare.api_key", (r) => (r.dns = { cloudflare: { api_key: VALUE } })],
    ["domains[0].credentials", (r) => (r.domains[0].credentials = [VALUE])],
    [
      "unifi.records[0].secret",
      (r) => (r.unifi = { endpoint: "https://192.0.2.1", records: [{ secret: VALUE }] }),
    ],
  ];
  it.each(nested)("refuses %s, naming it, without echoing the value", (key, put) => {
    const raw = exampleConfig();
    put(raw);
    let found: string[] = [];
    try {
      validateConfig(raw, new Set(SECRET_KEYS));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      found = e.problems;
    }
    const mine = found.filter((p) => p.startsWith(`homelab-mail:${key}:`));
    expect(mine).toEqual([
      `homelab-mail:${key}: looks like a credential in plain config; remove it, and keep secrets in \`pulumi config set --secret\` keys (README, "Setting up a stack")`,
    ]);
    expect(found.join("\n")).not.toContain(VALUE);
  });
});
