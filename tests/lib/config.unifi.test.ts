import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";

const ROOT = path.join(__dirname, "..", "..");
const ALL = new Set<string>(SECRET_KEYS);

function example(unifi?: Record<string, unknown>): Record<string, unknown> {
  const doc = parse(
    fs.readFileSync(path.join(ROOT, "tests", "fixtures", "stack", "Pulumi.test.yaml"), "utf8"),
  ) as {
    config: Record<string, unknown>;
  };
  const raw = Object.fromEntries(
    Object.entries(doc.config).map(([k, v]) => [k.replace(/^homelab-mail:/, ""), v]),
  );
  return unifi ? { ...raw, unifi } : raw;
}

function problems(raw: Record<string, unknown>, secrets: Set<string> = ALL): string[] {
  try {
    validateConfig(raw, secrets);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

const CONSOLE = { endpoint: "https://192.0.2.1", tlsFingerprint: "AB:".repeat(31) + "AB" };

describe("validateConfig: homelab-mail:unifi", () => {
  it("is optional, and then needs no API key", () => {
    const secrets = new Set([...ALL].filter((k) => k !== "unifiApiKey"));
    expect(validateConfig(example(), secrets).unifi).toBeUndefined();
  });

  it("defaults to pmg.lab.local and mail.lab.local at the PMG and Stalwart hosts' addresses", () => {
    const unifi = validateConfig(example(CONSOLE), ALL).unifi;
    // The example's PMG endpoint is a name, so its address comes from pmg.ssh.host; Stalwart's endpoint is an address.
    expect(unifi).toEqual({
      ...CONSOLE,
      site: "default",
      zone: "lab.local",
      records: [
        { name: "pmg.lab.local", type: "A", value: "192.0.2.10" },
        { name: "mail.lab.local", type: "A", value: "192.0.2.20" },
      ],
    });
  });

  it("puts the defaults in another zone, and makes AAAA records for IPv6 hosts", () => {
    const raw = example({ ...CONSOLE, zone: "Lab.Example.Net" });
    raw.stalwart = { ...(raw.stalwart as object), endpoint: "https://[2001:DB8::20]:443" };
    raw.pmg = { ...(raw.pmg as object), transport: { host: "192.0.2.20", port: 25 } };
    expect(validateConfig(raw, ALL).unifi?.records).toEqual([
      { name: "pmg.lab.example.net", type: "A", value: "192.0.2.10" },
      { name: "mail.lab.example.net", type: "AAAA", value: "2001:db8::20" },
    ]);
  });

  it("asks for explicit records when no host is an address", () => {
    const raw = example(CONSOLE);
    const { ssh: _ssh, ...pmg } = raw.pmg as Record<string, unknown>;
    raw.pmg = { ...pmg, transport: { host: "mail.lab.example.net", port: 25 } };
    delete raw.stalwart;
    const secrets = new Set([...ALL].filter((k) => k !== "stalwartPassword"));
    expect(problems(raw, secrets)).toEqual([
      expect.stringMatching(
        /^homelab-mail:unifi\.records: pmg\.lab\.local has no default: neither homelab-mail:pmg\.endpoint nor pmg\.ssh\.host is an IP address/,
      ),
      expect.stringMatching(/^homelab-mail:unifi\.records: mail\.lab\.local has no default/),
    ]);
  });

  it("takes declared records as they are, normalized", () => {
    const unifi = validateConfig(
      example({
        ...CONSOLE,
        site: "a1b2c3d4",
        records: [{ name: "PMG.lab.local.", type: "A", value: "192.0.2.10", ttl: 300 }],
      }),
      ALL,
    ).unifi;
    expect(unifi).toMatchObject({
      site: "a1b2c3d4",
      records: [{ name: "pmg.lab.local", type: "A", value: "192.0.2.10", ttl: 300 }],
    });
  });

  it("reports every problem at once, each naming its key", () => {
    const raw = example({
      endpoint: "http://192.0.2.1",
      site: "my site",
      tlsFingerprint: "AB:CD",
      zone: "bad zone",
      colour: "blue",
      records: [
        { name: "pmg.lab.local", type: "MX", value: "192.0.2.10" },
        { name: "mail.lab.local", type: "A", value: "mail" },
        { name: "x.lab.local", type: "A", value: "192.0.2.1", ttl: -5, comment: "" },
        { name: "y.lab.local", type: "A", value: "192.0.2.1" },
        { name: "Y.lab.local", type: "CNAME", value: "x.lab.local" },
      ],
    });
    const keys = problems(raw, new Set([...ALL].filter((k) => k !== "unifiApiKey"))).map(
      (p) => p.split(": ")[0],
    );
    expect(keys).toEqual([
      "homelab-mail:unifi.colour",
      "homelab-mail:unifi.endpoint",
      "homelab-mail:unifi.site",
      "homelab-mail:unifi.tlsFingerprint",
      "homelab-mail:unifi.zone",
      "homelab-mail:unifi.records[0].type",
      "homelab-mail:unifi.records[1].value",
      "homelab-mail:unifi.records[2].comment",
      "homelab-mail:unifi.records[2].ttl",
      "homelab-mail:unifi.records[4]",
      "homelab-mail:unifiApiKey",
    ]);
  });
});
