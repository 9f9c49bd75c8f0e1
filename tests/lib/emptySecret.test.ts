/**
 * One rule for a secret set to "" (`pulumi config set --secret homelab-mail:unifiApiKey ""`): unset,
 * in the program's check (lib/stackConfig.ts) and in every provider's settings (providers/context.ts,
 * configValue). Before, "" counted as set in the program and unset in providers/stalwart/settings.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS } from "../../lib/config";
import { loadStackConfig } from "../../lib/stackConfig";
import type { ConfigSource } from "../../providers/context";
import { parsePmgSettings } from "../../providers/pmg/settings";
import { parsePmgHostSettings } from "../../providers/pmghost/settings";
import { parseStalwartSettings } from "../../providers/stalwart/settings";
import { parseUnifiSettings } from "../../providers/unifi/settings";
import { exampleConfig } from "./config.test";

const PARSERS = [parsePmgSettings, parsePmgHostSettings, parseStalwartSettings, parseUnifiSettings];

/** The test stack with a UniFi block, every secret set to an obvious test value, then `overrides`. */
function stack(overrides: Record<string, string>): Record<string, string> {
  const raw: Record<string, unknown> = {
    ...exampleConfig(),
    unifi: { endpoint: "https://192.0.2.1", tlsFingerprint: "AB:".repeat(31) + "AB" },
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw))
    out[`homelab-mail:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  for (const k of SECRET_KEYS) out[`homelab-mail:${k}`] = `test-only-${k}`;
  return { ...out, ...overrides };
}

/** What the program's check says (lib/stackConfig.ts through a stand-in for pulumi.Config). */
function programSays(values: Record<string, string>): string {
  const get = (k: string) => values[`homelab-mail:${k}`];
  const config = {
    get,
    getObject: (k: string) => (get(k) === undefined ? undefined : JSON.parse(get(k)!)),
    getBoolean: (k: string) => (get(k) === undefined ? undefined : get(k) === "true"),
    getSecret: (k: string) => get(k),
  } as unknown as pulumi.Config;
  try {
    loadStackConfig(config);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

/** What the providers' `configure` says. */
function providersSay(values: Record<string, string>): string {
  const config: ConfigSource = { get: (k) => values[k] };
  return PARSERS.map((parse) => {
    try {
      parse(config);
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  }).join("\n");
}

const notSet = (key: string) => new RegExp(`homelab-mail:${key}:? is not set`);

describe('a secret set to ""', () => {
  it.each(["pmgPassword", "pmgSshPrivateKey", "unifiApiKey"])(
    "%s is unset for the program and for the providers alike",
    (key) => {
      const set = stack({});
      expect(programSays(set)).not.toMatch(notSet(key));
      expect(providersSay(set)).not.toMatch(notSet(key));
      const empty = stack({ [`homelab-mail:${key}`]: "" });
      expect(programSays(empty)).toMatch(notSet(key));
      expect(providersSay(empty)).toMatch(notSet(key));
    },
  );

  it("stalwartApiKey empty: both require stalwartPassword, as if no API key were set", () => {
    const apiKeyOnly = stack({ "homelab-mail:stalwartPassword": "" });
    expect(programSays(apiKeyOnly)).not.toMatch(notSet("stalwartPassword"));
    expect(providersSay(apiKeyOnly)).not.toMatch(notSet("stalwartPassword"));
    const empty = stack({ "homelab-mail:stalwartPassword": "", "homelab-mail:stalwartApiKey": "" });
    expect(programSays(empty)).toMatch(notSet("stalwartPassword"));
    expect(providersSay(empty)).toMatch(notSet("stalwartPassword"));
  });
});
