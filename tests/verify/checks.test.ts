// The verdicts of verify's record checks, as pure functions of what DNS served (no server needed).
import { compareDkim, firstDifference } from "../../verify/checks/dkim";
import { evaluateDmarc } from "../../verify/checks/dmarc";
import { evaluateInternalRecord } from "../../verify/checks/internalDns";
import { recipient } from "../../verify/checks/relay";
import { evaluateSpf, mailDomains } from "../../verify/checks/spf";
import type { MailChainOutputs } from "../../lib/outputs";

const SPF = "v=spf1 include:_spf.mx.cloudflare.net include:_spf.google.com ~all";

describe("evaluateSpf", () => {
  it("passes one SPF record among other TXT records", () => {
    expect(evaluateSpf("example.net", ["google-site-verification=x", SPF], SPF)).toMatchObject({
      id: "spf:example.net",
      status: "pass",
    });
  });

  it("fails with no SPF record, and with two (permerror), listing both", () => {
    expect(evaluateSpf("example.net", ["google-site-verification=x"])).toMatchObject({
      status: "fail",
      detail: "DNS serves no SPF record at example.net",
    });
    const two = evaluateSpf("example.net", [SPF, "v=spf1 include:_spf.mx.cloudflare.net ~all"]);
    expect(two).toMatchObject({ status: "fail", detail: expect.stringContaining("2 SPF records") });
    expect(two.fix).toMatch(/takes over the others at the apex/);
  });

  it("fails when Email Routing's or Google's include is missing, even without an expected value", () => {
    const r = evaluateSpf("example.net", ["v=spf1 include:_spf.mx.cloudflare.net ~all"]);
    expect(r).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("does not include _spf.google.com"),
    });
  });

  it("fails when the record differs from the one the stack publishes, ignoring case and spacing", () => {
    expect(evaluateSpf("example.net", [SPF], SPF.replace("~all", "-all"))).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("the stack publishes"),
    });
    expect(evaluateSpf("example.net", [SPF.toUpperCase().replace(/ /g, "  ")], SPF).status).toBe("pass");
  });
});

describe("evaluateDmarc", () => {
  const want = "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.net";

  it("passes one record with the intended policy", () => {
    expect(evaluateDmarc("example.net", [want], want)).toMatchObject({
      id: "dmarc:example.net",
      status: "pass",
      detail: "one DMARC record, p=quarantine as intended",
    });
  });

  it("fails with none, with two, and with a policy other than the intended one", () => {
    expect(evaluateDmarc("example.net", [], want).detail).toBe(
      "DNS serves no DMARC record at _dmarc.example.net",
    );
    expect(evaluateDmarc("example.net", [want, want], want).detail).toMatch(
      /2 DMARC records at _dmarc.example.net, so receivers apply none/,
    );
    expect(evaluateDmarc("example.net", [want.replace("quarantine", "none")], want)).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("the intended policy is p=quarantine"),
    });
  });

  it("fails a record without a valid policy, and ignores TXT records that are not DMARC", () => {
    expect(evaluateDmarc("example.net", ["v=DMARC1; rua=mailto:x@example.net"]).status).toBe("fail");
    expect(evaluateDmarc("example.net", ["some-verification=1", want], want).status).toBe("pass");
  });

  it("only warns when the policy is right but another tag differs", () => {
    expect(
      evaluateDmarc("example.net", ["v=DMARC1; p=quarantine; rua=mailto:other@example.net"], want),
    ).toMatchObject({ status: "warn", detail: expect.stringContaining("rua differ") });
  });

  it("passes without an intended policy, and says so", () => {
    expect(evaluateDmarc("example.net", [want]).detail).toMatch(/no intended policy to compare with/);
  });
});

describe("compareDkim", () => {
  const record = {
    name: "pmg2026._domainkey.example.net",
    value: "v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
  };

  it("passes when DNS serves exactly the key", () => {
    expect(compareDkim("example.net", record, [record.value])).toMatchObject({
      id: "dkim:example.net",
      status: "pass",
    });
  });

  it("fails on one differing character, naming the byte and both sides", () => {
    const served = record.value.replace("w0BAQ", "w0BAX");
    const r = compareDkim("example.net", record, [served]);
    expect(r.status).toBe("fail");
    expect(r.detail).toContain(`at byte ${record.value.indexOf("w0BAQ") + 4}`);
    expect(r.detail).toMatch(/DNS has ".*w0BAX.*", PMG signs with ".*w0BAQ.*"/);
  });

  it("fails on a missing record, on two records, and on a truncated one", () => {
    expect(compareDkim("example.net", record, []).detail).toBe(`DNS serves no TXT record at ${record.name}`);
    expect(compareDkim("example.net", record, [record.value, record.value]).detail).toMatch(/2 TXT records/);
    expect(compareDkim("example.net", record, [record.value.slice(0, -3)]).detail).toMatch(/<end>/);
  });

  it("compares with PMG's live key when there is one: a rotated key fails, stale outputs only warn", () => {
    const live = { selector: "pmg2026", txtValue: record.value.replace("CgKC", "CgKD"), signing: true };
    expect(compareDkim("example.net", record, [record.value], live).detail).toMatch(
      /differs from PMG's live key/,
    );
    expect(compareDkim("example.net", record, [live.txtValue], live)).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("stack output holds another"),
    });
  });

  it("fails when PMG signs with another selector than the record's", () => {
    const live = { selector: "pmg2027", txtValue: record.value, signing: true };
    expect(compareDkim("example.net", record, [record.value], live).detail).toMatch(
      /PMG signs with selector pmg2027/,
    );
  });

  it("finds the first differing byte of the UTF-8 forms", () => {
    expect(firstDifference("abc", "abc")).toBeUndefined();
    expect(firstDifference("abc", "abd")).toBe(2);
    expect(firstDifference("ab", "abc")).toBe(2);
  });
});

describe("evaluateInternalRecord", () => {
  const r = { name: "pmg.lab.local", type: "A" as const, value: "192.0.2.10" };

  it("passes the declared address, fails a missing or different one, warns on an extra one", () => {
    expect(evaluateInternalRecord(r, ["192.0.2.10"], "127.0.0.1:53").status).toBe("pass");
    expect(evaluateInternalRecord(r, [], "127.0.0.1:53").detail).toBe(
      "127.0.0.1:53 has no A record for pmg.lab.local",
    );
    expect(evaluateInternalRecord(r, ["192.0.2.11"], "x").status).toBe("fail");
    expect(evaluateInternalRecord(r, ["192.0.2.10", "192.0.2.11"], "x")).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("also 192.0.2.11"),
    });
  });

  it("compares IPv6 addresses and CNAME targets in canonical form", () => {
    expect(
      evaluateInternalRecord({ name: "x", type: "AAAA", value: "2001:DB8:0:0::1" }, ["2001:db8::1"], "x")
        .status,
    ).toBe("pass");
    expect(
      evaluateInternalRecord({ name: "x", type: "CNAME", value: "PMG.lab.local." }, ["pmg.lab.local"], "x")
        .status,
    ).toBe("pass");
  });
});

describe("recipient", () => {
  const outputs = {
    accounts: {
      thehive: { login: "thehive", addresses: ["thehive@example.net"], password: "p" },
      ai: { login: "ai", addresses: ["ai@example.net", "ai@example.org"], password: "p" },
    },
  } as unknown as MailChainOutputs;

  it("defaults to the first address of the first account by name", () => {
    expect(recipient(outputs)).toEqual({
      address: "ai@example.net",
      account: { name: "ai", output: outputs.accounts!.ai },
    });
  });

  it("finds the account of a given address, case-insensitively, and none for a foreign one", () => {
    expect(recipient(outputs, "TheHive@example.net")?.account?.name).toBe("thehive");
    expect(recipient(outputs, "someone@example.com")).toEqual({
      address: "someone@example.com",
      account: undefined,
    });
    expect(recipient({ ...outputs, accounts: {} })).toBeUndefined();
  });
});

describe("mailDomains", () => {
  it("lists the domains with a DKIM record or expected records, once each, sorted", () => {
    expect(
      mailDomains({
        dkim: { "example.org": {}, "example.net": {} },
        mailRecords: { "example.net": {}, "example.com": {} },
      }),
    ).toEqual(["example.com", "example.net", "example.org"]);
  });
});
