import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";
import { exampleConfig } from "./config.test";

function problems(raw: Record<string, unknown>): string[] {
  try {
    validateConfig(raw, new Set(SECRET_KEYS));
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe("the Cloudflare routing config", () => {
  it("refuses one address as both destinations, naming the key and the fix", () => {
    const raw = exampleConfig();
    raw.routing = { ...(raw.routing as object), personalDestination: "Lab-Service-Box@example.com" };
    expect(problems(raw)).toEqual([
      expect.stringMatching(
        /^homelab-mail:routing\.personalDestination: is the same address as routing\.serviceDestination .*give the personal Gmail box here/,
      ),
    ]);
  });

  it("refuses a fetchmail.user other than the service destination, naming both", () => {
    const raw = exampleConfig();
    raw.fetchmail = { ...(raw.fetchmail as object), user: "lab-personal-box@example.com" };
    expect(problems(raw)).toEqual([
      expect.stringMatching(
        /^homelab-mail:fetchmail\.user: is lab-personal-box@example\.com but routing\.serviceDestination is lab-service-box@example\.com: .*make them the same/,
      ),
    ]);
  });

  it("accepts the example, where fetchmail reads the service destination", () => {
    expect(problems(exampleConfig())).toEqual([]);
  });
});
