/** Comments and descriptions declared per object: validated by key, and what is not declared stays unmanaged. */
import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";
import { guideConfig } from "../fixtures/guide/config";

const SECRETS = new Set<string>(SECRET_KEYS);

function problems(raw: Record<string, unknown>): string[] {
  try {
    validateConfig(raw, SECRETS);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

function withPmg(extra: Record<string, unknown>, stalwart: Record<string, unknown> = {}) {
  const c = guideConfig() as Record<string, Record<string, unknown>>;
  return { ...c, pmg: { ...c.pmg, ...extra }, stalwart: { ...c.stalwart, ...stalwart } };
}

it("reads the guide's comments and descriptions, lowercasing domain keys", () => {
  const c = validateConfig(
    withPmg({
      comments: {
        relayDomains: { "Example.NET": "CTI service domain" },
        trustedNetworks: { "192.0.2.0/24": "" },
      },
    }),
    SECRETS,
  );
  expect(c.pmg.comments?.relayDomains).toEqual({ "example.net": "CTI service domain" });
  expect(c.pmg.comments?.trustedNetworks).toEqual({ "192.0.2.0/24": "" });
  expect(c.pmg.comments?.transports).toEqual({});
  expect(c.stalwart?.domainDescriptions).toEqual({
    "example.net": "CTI service domain",
    "example.org": "Brand domain",
  });
  expect(c.stalwart?.accounts.find((a) => a.name === "noreply")?.description).toBe("Service notifications");
});

it("leaves undeclared labels undefined, and takes an empty description as declared", () => {
  const base = guideConfig() as Record<string, Record<string, unknown>>;
  const accounts = (base.stalwart.accounts as Record<string, unknown>[]).map(
    ({ description: _d, ...a }, i) => (i === 0 ? { ...a, description: "" } : a),
  );
  const c = validateConfig(
    withPmg({ comments: undefined }, { accounts, domainDescriptions: undefined }),
    SECRETS,
  );
  expect(c.pmg.comments).toEqual({});
  expect(c.stalwart?.domainDescriptions).toEqual({});
  expect(c.stalwart?.accounts.map((a) => a.description)).toEqual(["", ...Array(7).fill(undefined)]);
});

it("names the key of every bad label and says the fix", () => {
  const found = problems(
    withPmg(
      {
        comments: {
          relayDomains: { "example.com": "x" },
          transports: { "example.net": 7 },
          dkimDomains: { "example.org": "two\nlines" },
          trustedNetworks: { "10.0.0.0/8": "" },
          signers: {},
        },
      },
      { domainDescriptions: { "example.com": "nope" } },
    ),
  );
  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^homelab-mail:pmg\.comments\.relayDomains\.example\.com: is not one of the domains .*example\.net, example\.org/,
      ),
      expect.stringMatching(/^homelab-mail:pmg\.comments\.transports\.example\.net: must be text/),
      expect.stringMatching(/^homelab-mail:pmg\.comments\.dkimDomains\.example\.org: must be one line/),
      expect.stringMatching(
        /^homelab-mail:pmg\.comments\.trustedNetworks\.10\.0\.0\.0\/8: is not one of the pmg\.trustedNetworks/,
      ),
      expect.stringMatching(/^homelab-mail:pmg\.comments\.signers: is not a known key/),
      expect.stringMatching(
        /^homelab-mail:stalwart\.domainDescriptions\.example\.com: is not one of the domains/,
      ),
    ]),
  );
  expect(found).toHaveLength(6);
});

it("requires fetchmail to poll the box Cloudflare forwards service mail to", () => {
  const c = guideConfig() as Record<string, Record<string, unknown>>;
  const found = problems({ ...c, fetchmail: { ...c.fetchmail, user: "someone-else@example.com" } });
  expect(found).toEqual([
    expect.stringMatching(
      /^homelab-mail:fetchmail\.user: is someone-else@example\.com.*lab-service-box@example\.com/,
    ),
  ]);
  expect(problems({ ...c, fetchmail: { ...c.fetchmail, user: "Lab-Service-Box@example.com" } })).toEqual([]);
});
