/**
 * Trusted networks (issue 14 item 4): public ranges are an open relay, refused unless acknowledged
 * entry by entry; large private ranges warn. The classification is IANA's special-purpose registries.
 */
import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";
import { NON_GLOBAL_V4, NON_GLOBAL_V6, nonGlobalBlock } from "../../lib/ipRanges";
import { loadStackConfig } from "../../lib/stackConfig";
import { normalizeCidr } from "../../lib/validate";
import { exampleConfig } from "./config.test";

function run(trustedNetworks: unknown, acknowledgePublicNetworks?: unknown) {
  const raw = exampleConfig();
  raw.pmg = { ...(raw.pmg as object), trustedNetworks, acknowledgePublicNetworks };
  try {
    const c = validateConfig(raw, new Set(SECRET_KEYS));
    return { problems: [] as string[], warnings: c.warnings ?? [], networks: c.pmg.trustedNetworks };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { problems: e.problems, warnings: [] as string[], networks: [] as string[] };
  }
}

describe("the non-global blocks", () => {
  it.each([...NON_GLOBAL_V4, ...NON_GLOBAL_V6].map((b) => [b.cidr]))("%s is written canonically", (c) =>
    expect(normalizeCidr(c)).toBe(c),
  );

  it("classifies by containment: inside a block is private, around or beside it is public", () => {
    expect(nonGlobalBlock("192.168.10.0/24")).toMatch(/RFC 1918/);
    expect(nonGlobalBlock("100.64.0.0/10")).toMatch(/RFC 6598/);
    expect(nonGlobalBlock("fd12:3456:789a::/48")).toMatch(/RFC 4193/);
    expect(nonGlobalBlock("172.0.0.0/8")).toBeUndefined(); // holds 172.16.0.0/12 and public space
    expect(nonGlobalBlock("100.0.0.0/8")).toBeUndefined();
    expect(nonGlobalBlock("192.0.0.0/24")).toBeUndefined(); // 192.0.0.9 and .10 are globally reachable
    expect(nonGlobalBlock("64:ff9b::/96")).toBeUndefined(); // NAT64: globally reachable (RFC 6052)
    expect(nonGlobalBlock("224.0.0.0/8")).toBeUndefined();
  });
});

describe("homelab-mail:pmg.trustedNetworks", () => {
  it("accepts the guide's and the usual private ranges without a word", () => {
    const ok = ["192.0.2.0/24", "192.168.1.0/24", "10.20.0.0/16", "172.16.5.0/24", "fd12:3456:789a::/48"];
    expect(run(ok)).toEqual({ problems: [], warnings: [], networks: ok });
  });

  it.each([
    "1.0.0.0/8",
    "64.0.0.0/8",
    "8.8.8.0/24",
    "100.0.0.0/8",
    "172.0.0.0/8",
    "192.0.0.0/24",
    "224.0.0.0/8",
    "2000::/8",
    "2a00:1450::/32",
    "2002::/16",
    "64:ff9b::/96",
  ])("refuses the public range %s, naming the key and the acknowledgement", (cidr) => {
    const { problems } = run(["192.168.1.0/24", cidr]);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^homelab-mail:pmg\\.trustedNetworks\\[1\\]: ${cidr.replace(/\./g, "\\.")} is public \\(globally routable\\) address space: .*open relay.*homelab-mail:pmg\\.acknowledgePublicNetworks$`,
        ),
      ),
    ]);
  });

  it("refuses every public /8 of IPv4: all but 0, 10, 127 and 240-255", () => {
    const eights = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);
    const refused = eights.filter((c) => run([c]).problems.length > 0);
    const allowed = eights.filter((c) => !refused.includes(c)).map((c) => Number(c.split(".")[0]));
    expect(allowed).toEqual([0, 10, 127, ...Array.from({ length: 16 }, (_, i) => 240 + i)]);
    expect(refused).toHaveLength(237);
  });

  it("accepts an acknowledged public range, with a warning on every run", () => {
    const r = run(["192.168.1.0/24", "198.18.0.0/24", "8.8.8.0/24"], ["8.8.8.0/24"]);
    expect(r.problems).toEqual([]);
    expect(r.networks).toContain("8.8.8.0/24");
    expect(r.warnings).toEqual([
      "homelab-mail:pmg.trustedNetworks[2]: 8.8.8.0/24 is public (globally routable) address space, acknowledged in homelab-mail:pmg.acknowledgePublicNetworks: every host in it relays mail through PMG without authentication",
    ]);
  });

  it("refuses an acknowledgement that is too large, stale, or of a private range", () => {
    const r = run(["1.0.0.0/8", "10.1.0.0/16"], ["1.0.0.0/8", "10.1.0.0/16", "9.9.9.0/24", 7]);
    expect(r.problems).toEqual([
      'homelab-mail:pmg.acknowledgePublicNetworks[2]: "9.9.9.0/24" is not one of homelab-mail:pmg.trustedNetworks; list each acknowledged network exactly as it is written there',
      "homelab-mail:pmg.acknowledgePublicNetworks[3]: 7 is not one of homelab-mail:pmg.trustedNetworks; list each acknowledged network exactly as it is written there",
      "homelab-mail:pmg.trustedNetworks[0]: 1.0.0.0/8 is public and larger than an IPv4 /16; an acknowledged public network may be at most that size: list the addresses that send mail",
      "homelab-mail:pmg.acknowledgePublicNetworks[1]: 10.1.0.0/16 is not public (it is in private use (RFC 1918)); remove it from this list",
    ]);
  });

  it.each([
    ["10.0.0.0/8", 24],
    ["172.16.0.0/12", 20],
    ["100.64.0.0/10", 22],
    ["fd00::/8", 120],
    ["fd12:3456::/32", 96],
  ])("warns on %s, larger than an IPv4 /16 or IPv6 /48", (cidr, bits) => {
    const r = run([cidr]);
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^homelab-mail:pmg\\.trustedNetworks\\[0\\]: ${cidr.replace(/\./g, "\\.")} is larger than an IPv[46] /(16|48) \\(2\\^${bits} addresses\\)`,
        ),
      ),
    ]);
  });

  it("says the warnings on every run through Pulumi's log, before anything is registered", () => {
    const raw = exampleConfig();
    raw.pmg = { ...(raw.pmg as object), trustedNetworks: ["10.0.0.0/8"] };
    const all: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw))
      all[`homelab-mail:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    for (const k of SECRET_KEYS) all[`homelab-mail:${k}`] = `test-only-${k}`;
    pulumi.runtime.setAllConfig(
      all,
      SECRET_KEYS.map((k) => `homelab-mail:${k}`),
    );
    const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
    try {
      loadStackConfig(new pulumi.Config("homelab-mail"));
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        expect.stringMatching(/^homelab-mail:pmg\.trustedNetworks\[0\]: 10\.0\.0\.0\/8 is larger/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
