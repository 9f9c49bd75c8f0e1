import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";
import { exampleConfig } from "./config.test";

function problems(raw: Record<string, unknown>, secrets: string[] = [...SECRET_KEYS]): string[] {
  try {
    validateConfig(raw, new Set(secrets));
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

const withStalwart = (patch: Record<string, unknown>) => {
  const raw = exampleConfig();
  raw.stalwart = { ...(raw.stalwart as object), ...patch };
  return raw;
};

describe("validateConfig for homelab-mail:stalwart", () => {
  it("defaults IMAP to implicit TLS on the endpoint's host, and accounts to the user role's defaults", () => {
    const c = validateConfig(exampleConfig(), new Set(SECRET_KEYS));
    expect(c.stalwart?.imap).toEqual({ host: "192.0.2.20", port: 993, security: "tls" });
    expect(c.stalwart?.accounts[0]).toMatchObject({
      name: "opencti",
      quota: 0,
      allowMailboxDeletion: false,
      roles: undefined,
    });
    const starttls = validateConfig(
      withStalwart({ imap: { host: "mail.example.net", security: "starttls" } }),
      new Set(SECRET_KEYS),
    );
    expect(starttls.stalwart?.imap).toEqual({ host: "mail.example.net", port: 143, security: "starttls" });
  });

  it("reads per-account roles, quota, deletion consent and former names", () => {
    const account = {
      name: "misp",
      emails: ["misp@example.net"],
      roles: ["User"],
      quota: 1024,
      allowMailboxDeletion: true,
      formerNames: ["MISP-alerts"],
    };
    const c = validateConfig(withStalwart({ accounts: [account] }), new Set(SECRET_KEYS));
    expect(c.stalwart?.accounts[0]).toEqual({
      ...account,
      roles: ["user"],
      formerNames: ["misp-alerts"],
      description: undefined,
    });
  });

  it("names each bad account option and IMAP setting", () => {
    const account = {
      name: "misp",
      emails: ["misp@example.net"],
      roles: [],
      quota: -1,
      allowMailboxDeletion: "yes",
    };
    const found = problems(
      withStalwart({ accounts: [account], imap: { security: "ssl", port: 0 }, tlsFingerprint: "AA" }),
    );
    expect(found.map((p) => p.split(": ")[0])).toEqual(
      expect.arrayContaining([
        "homelab-mail:stalwart.accounts[0].roles",
        "homelab-mail:stalwart.accounts[0].quota",
        "homelab-mail:stalwart.accounts[0].allowMailboxDeletion",
        "homelab-mail:stalwart.imap.security",
        "homelab-mail:stalwart.imap.port",
        "homelab-mail:stalwart.tlsFingerprint",
      ]),
    );
  });

  it("needs the admin password only when no API key is set", () => {
    const without = SECRET_KEYS.filter((k) => k !== "stalwartPassword" && k !== "stalwartApiKey");
    expect(problems(exampleConfig(), without)).toEqual([
      expect.stringMatching(/^homelab-mail:stalwartPassword: is not set/),
    ]);
    expect(problems(exampleConfig(), [...without, "stalwartApiKey"])).toEqual([]);
  });
});
