import { checkPrincipal } from "../../../providers/stalwart/check";
import { UNKNOWN } from "../../../lib/validate";

const endpoint = "http://192.0.2.20:8080";

describe("checkPrincipal", () => {
  it("normalizes what the server normalizes: lowercase, primary address first, aliases and sets sorted", () => {
    const r = checkPrincipal({
      endpoint,
      type: "individual",
      name: " NoReply ",
      emails: ["NoReply@Example.NET", "zz@example.net", "aa@example.org", "zz@example.net"],
      roles: ["user", "admin"],
    });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({
      endpoint,
      type: "individual",
      name: "noreply",
      emails: ["noreply@example.net", "aa@example.org", "zz@example.net"],
      roles: ["admin", "user"],
      quota: 0,
      memberOf: [],
      allowMailboxDeletion: false,
    });
  });

  it("gives accounts the user role by default, so they can log in over IMAP", () => {
    expect(
      checkPrincipal({ endpoint, type: "individual", name: "ti", emails: ["ti@example.net"] }).inputs.roles,
    ).toEqual(["user"]);
  });

  it("accepts a domain with only a name and a description, and nothing that belongs to accounts", () => {
    expect(checkPrincipal({ endpoint, type: "domain", name: "Example.NET" })).toEqual({
      inputs: {
        endpoint,
        type: "domain",
        name: "example.net",
        emails: [],
        roles: [],
        quota: 0,
        memberOf: [],
        allowMailboxDeletion: false,
      },
      failures: [],
    });
    expect(
      checkPrincipal({ endpoint, type: "domain", name: "example", quota: 5 }).failures.map((f) => f.property),
    ).toEqual(["name", "quota"]);
  });

  it("names every bad property with the reason", () => {
    const r = checkPrincipal({
      endpoint: "ftp://x",
      type: "user",
      name: "a b",
      description: "x".repeat(600),
      extra: 1,
    });
    expect(Object.fromEntries(r.failures.map((f) => [f.property, f.reason]))).toEqual({
      endpoint: "must use https: or http: (got ftp:)",
      type: 'must be "domain" or "individual", got "user"',
      name: expect.stringMatching(/is not an account name/),
      description: "is 600 bytes long; Stalwart accepts at most 512",
      extra: "is not a property of StalwartPrincipal",
    });
  });

  it("refuses an account without addresses or without roles", () => {
    const r = checkPrincipal({ endpoint, type: "individual", name: "ti", emails: [], roles: [] });
    expect(r.failures.map((f) => f.property)).toEqual(["emails", "roles"]);
  });

  it("lets preview's unknown values through untouched", () => {
    const r = checkPrincipal({
      endpoint: UNKNOWN,
      type: "individual",
      name: UNKNOWN,
      emails: [UNKNOWN, "ti@example.net"],
      quota: UNKNOWN,
    });
    expect(r.failures).toEqual([]);
    expect(r.inputs.emails).toEqual([UNKNOWN, "ti@example.net"]);
    expect(r.inputs.quota).toBe(UNKNOWN);
  });
});
