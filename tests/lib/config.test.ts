import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";

const ROOT = path.join(__dirname, "..", "..");

/** The tests' own stack config (tests/fixtures/stack/Pulumi.test.yaml) with the `homelab-mail:` prefix stripped. */
export function exampleConfig(): Record<string, unknown> {
  const doc = parse(
    fs.readFileSync(path.join(ROOT, "tests", "fixtures", "stack", "Pulumi.test.yaml"), "utf8"),
  ) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.replace(/^homelab-mail:/, ""), v]));
}

const ALL_SECRETS = new Set<string>(SECRET_KEYS);

function problems(raw: Record<string, unknown>, secrets: Set<string> = ALL_SECRETS): string[] {
  try {
    validateConfig(raw, secrets);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe("validateConfig", () => {
  it("accepts the example stack", () => {
    const c = validateConfig(exampleConfig(), ALL_SECRETS);
    expect(c.domains.map((d) => d.name)).toEqual(["example.net", "example.org"]);
    expect(c.pmg.transport).toEqual({ host: "192.0.2.20", port: 25, protocol: "smtp" });
    expect(c.stalwart?.accounts).toHaveLength(8);
    expect(c.adoptExisting).toBe(false);
  });

  it("reports every problem at once, each naming its key", () => {
    const raw = exampleConfig();
    const pmg = raw.pmg as Record<string, unknown>;
    raw.pmg = {
      ...pmg,
      trustedNetworks: ["10.0.0.5/24", "10.0.0.0/4"],
      smarthost: { host: "smtp gmail.com", port: 70000 },
    };
    raw.routing = { ...(raw.routing as object), serviceAddresses: ["wazuh@elsewhere.net", "not-an-address"] };
    const found = problems(raw, new Set());
    const keys = found.map((p) => p.split(": ")[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        "homelab-mail:pmg.trustedNetworks[0]",
        "homelab-mail:pmg.trustedNetworks[1]",
        "homelab-mail:pmg.smarthost.host",
        "homelab-mail:pmg.smarthost.port",
        "homelab-mail:routing.serviceAddresses[0]",
        "homelab-mail:routing.serviceAddresses[1]",
        "homelab-mail:pmgPassword",
        "homelab-mail:stalwartPassword",
      ]),
    );
    expect(found.find((p) => p.includes("trustedNetworks[0]"))).toMatch(/write it as 10\.0\.0\.0\/24/);
    expect(found.find((p) => p.includes("serviceAddresses[0]"))).toMatch(
      /elsewhere\.net, which is not one of homelab-mail:domains/,
    );
    expect(found.find((p) => p.startsWith("homelab-mail:pmgPassword"))).toMatch(
      /pulumi config set --secret homelab-mail:pmgPassword/,
    );
  });

  it("requires a realm on the PMG user, because PMG appends @quarantine to bare names", () => {
    const raw = exampleConfig();
    raw.pmg = { ...(raw.pmg as object), username: "root" };
    expect(problems(raw)).toEqual([expect.stringMatching(/^homelab-mail:pmg\.username: .*root@pam/)]);
  });

  it("rejects unknown keys so a typo does not silently fall back to a default", () => {
    const raw = exampleConfig();
    raw.pmg = { ...(raw.pmg as object), trustedNetwork: [] };
    expect(problems(raw)).toEqual([
      expect.stringMatching(/^homelab-mail:pmg\.trustedNetwork: is not a known key/),
    ]);
  });

  it("takes the transport host from Stalwart's endpoint when not given", () => {
    const raw = exampleConfig();
    const { transport: _omit, ...pmg } = raw.pmg as Record<string, unknown>;
    raw.pmg = pmg;
    expect(validateConfig(raw, ALL_SECRETS).pmg.transport.host).toBe("192.0.2.20");
  });

  it("reports an address routed both ways and an e-mail owned by two accounts", () => {
    const raw = exampleConfig();
    raw.routing = { ...(raw.routing as object), personalAddresses: ["wazuh@example.net"] };
    const st = raw.stalwart as { accounts: { name: string; emails: string[] }[] };
    st.accounts[1].emails = ["opencti@example.net"];
    const found = problems(raw);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/routing\.personalAddresses: wazuh@example\.net is also a service address/),
        expect.stringMatching(/stalwart\.accounts\[1\]\.emails: opencti@example\.net belongs to opencti/),
      ]),
    );
  });

  it("rejects control characters and a missing pmg block", () => {
    const raw = exampleConfig();
    delete raw.pmg;
    raw.fetchmail = { ...(raw.fetchmail as object), user: "box@example.com\nset daemon 1" };
    const found = problems(raw);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^homelab-mail:pmg: is missing/),
        expect.stringMatching(/^homelab-mail:fetchmail\.user: must not contain control characters/),
      ]),
    );
  });
});
