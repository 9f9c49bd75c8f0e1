// Unit tests of the PVE::JSONSchema re-implementation and the format validators.
import { loadSchema } from "./api-schema";
import { ROUTES } from "./handlers";
import { checkFormat } from "./formats";
import { splitList, perlNumStr } from "./perl";
import {
  checkParams,
  JsonBool,
  normalizeLegacyLists,
  schemaPattern,
  type ObjectSchema,
  type Params,
} from "./schema-check";

const v9 = loadSchema(9);
const schemaOf = (key: string): ObjectSchema => v9.get(key)?.parameters ?? {};
const check = (
  key: string,
  entries: Array<[string, Params extends Map<string, infer V> ? V : never]>,
  jsonBooleans = true,
) => checkParams(new Map(entries), schemaOf(key), { jsonBooleans });

describe("formats", () => {
  test.each([
    ["CIDR", "10.0.0.0/8", null],
    ["CIDR", "10.0.0.0/7", "value does not look like a valid CIDR network\n"],
    ["CIDR", "10.0.0.0/33", "value does not look like a valid CIDR network\n"],
    ["CIDR", "2001:db8::/32", null],
    ["CIDR", "2001:db8::/129", "value does not look like a valid CIDR network\n"],
    ["CIDR", "10.0.0.0/08", null], // "08" > 7 numerically
    ["CIDR", "10.0.0.0/8\n", null], // Perl's $ before a final newline
    ["transport-domain", ".example.com", null],
    ["transport-domain", "exa_mple.com", "value does not look like a valid transport domain\n"],
    ["transport-domain", "-example.com", "value does not look like a valid transport domain\n"],
    ["transport-domain-or-email", "user@example.com", null],
    [
      "transport-domain-or-email",
      "a b@example.com",
      "value does not look like a valid transport domain or email address\n",
    ],
    ["transport-address", "ipv6:2001:db8::1", null],
    ["transport-address", "[10.0.0.1]", "value does not look like a valid address\n"],
    ["address", "mail.example.com", null],
    ["address", "mail..example.com", "value does not look like a valid address: mail..example.com\n"],
    ["email", "admin@example.com", null],
    ["email", "admin", "value does not look like a valid email address\n"],
    ["dns-name", "s2024", null],
    ["dns-name", "s_1", "value does not look like a valid DNS name\n"],
    ["pve-configid-list", "relay, relayport;tls", null],
    ["pve-configid-list", "relay,x", "invalid configuration ID 'x'\n"],
    ["dnsbl-entry-list", "zen.spamhaus.org*2 b.barracudacentral.org=127.0.0.[2..11]", null],
    [
      "dnsbl-entry-list",
      "zen.spamhaus.org=127.0.0",
      "value 'zen.spamhaus.org=127.0.0' does not look like a valid dnsbl entry\n",
    ],
    ["pmg-realm", "anything at all", null],
    ["pve-node", "pmg1", null],
    ["pve-node", "pmg_1", "value does not look like a valid node name\n"],
    ["no-such-format", "x", "undefined format 'no-such-format'\n"],
  ])("%s %j", (format, value, expected) => {
    expect(checkFormat(format, value)).toBe(expected);
  });

  test("split_list and number stringification follow Perl", () => {
    expect(splitList(" a, b;c  d,")).toEqual(["a", "b", "c", "d"]);
    expect(splitList("")).toEqual([]);
    expect(perlNumStr(25)).toBe("25");
    expect(perlNumStr(0.1)).toBe("0.1");
    expect(perlNumStr(1e21)).toBe("1e+21");
  });

  test("schema patterns are anchored and PosixPrint is ASCII-printable", () => {
    expect(schemaPattern("http://.*").test("xhttp://a")).toBe(false);
    expect(schemaPattern("^\\p{PosixPrint}{1,998}$").test("Proxmox <postmaster@example.com>")).toBe(true);
    expect(schemaPattern("^\\p{PosixPrint}{1,998}$").test("tab\there")).toBe(false);
    expect(schemaPattern("(?:[^\\s\\\\@]+\\@[^\\s\\/\\\\@]+)").test("a@b.c")).toBe(true);
  });
});

describe("checkParams (PVE::JSONSchema::validate)", () => {
  test("missing required, unknown property", () => {
    expect(
      check("POST /config/transport", [
        ["host", "10.0.0.1"],
        ["bogus", "1"],
      ]),
    ).toEqual({
      domain: "property is missing and it is not optional",
      bogus: "property is not defined in schema and the schema does not allow additional properties",
    });
  });

  test("type checks: integers, booleans, JSON booleans", () => {
    expect(
      check("PUT /config/mail", [
        ["relayport", "+25"],
        ["tls", "1"],
      ]),
    ).toBeNull();
    expect(
      check("PUT /config/mail", [
        ["relayport", "25.0"],
        ["tls", "true"],
      ]),
    ).toEqual({
      relayport: "type check ('integer') failed - got '25.0'",
      tls: "type check ('boolean') failed - got 'true'",
    });
    expect(check("PUT /config/mail", [["tls", new JsonBool(true)]])).toBeNull();
    expect(check("PUT /config/mail", [["tls", new JsonBool(true)]], false)).toEqual({
      tls: "type check ('boolean') failed - got JSON::PP::Boolean",
    });
    expect(check("PUT /config/mail", [["relay", new JsonBool(false)]])).toEqual({
      relay: "type check ('string') failed - got JSON::PP::Boolean",
    });
    expect(check("PUT /config/mail", [["relay", ["a", "b"]]])).toEqual({
      relay: "type check ('string') failed - got ARRAY",
    });
  });

  test("ranges, lengths, enums, patterns, formats", () => {
    expect(
      check("PUT /config/mail", [
        ["relayport", "0"],
        ["relayprotocol", "esmtp"],
        ["banner", "x".repeat(1025)],
      ]),
    ).toEqual({
      relayport: "value must have a minimum value of 1",
      relayprotocol: "value 'esmtp' does not have a value in the enumeration 'smtp, lmtp'",
      banner: "value may only be 1024 characters long",
    });
    expect(check("PUT /config/mail", [["relay", ""]])).toEqual({
      relay: "invalid format - value does not look like a valid address: \n",
    });
    expect(check("PUT /config/admin", [["http_proxy", "https://proxy"]])).toEqual({
      http_proxy: "value does not match the regex pattern",
    });
    expect(
      check("POST /config/fetchmail", [
        ["server", "a"],
        ["protocol", "imap"],
        ["user", ""],
        ["pass", "p"],
        ["target", "ab"],
      ]),
    ).toEqual({
      user: "value must be at least 1 characters long",
      target: "value does not match the regex pattern",
    });
  });

  test("legacy list normalization joins repeated -list parameters", () => {
    const params: Params = new Map([["delete", ["relay", "tls"]]]);
    normalizeLegacyLists(params, schemaOf("PUT /config/mail"));
    expect(params.get("delete")).toBe("relay,tls");
    expect(checkParams(params, schemaOf("PUT /config/mail"), { jsonBooleans: true })).toBeNull();
  });
});

describe("version deltas", () => {
  test("options added after a version are unknown to it", () => {
    expect(loadSchema(8).get("PUT /config/admin")?.parameters?.properties?.["dkim-use-domain"]).toBeDefined();
    expect(
      loadSchema(7).get("PUT /config/admin")?.parameters?.properties?.["dkim-use-domain"],
    ).toBeUndefined();
    expect(loadSchema(8).get("PUT /config/mail")?.parameters?.properties?.["queue-lifetime"]).toBeUndefined();
    expect(loadSchema(7).get("POST /access/ticket")?.parameters?.properties?.realm).toMatchObject({
      enum: ["pam", "pmg", "quarantine"],
    });
    expect(loadSchema(7).get("POST /access/ticket")?.parameters?.properties?.realm?.format).toBeUndefined();
  });
});

test("every served route and method exists in schema.json", () => {
  const served = ROUTES.flatMap((r) => Object.keys(r.methods).map((m) => `${m} ${r.path}`));
  expect(served.filter((key) => !v9.has(key))).toEqual([]);
  expect(served).toHaveLength(35); // every endpoint of schema.json except /nodes/*
});
