import * as v from "../../lib/validate";

describe("validate", () => {
  it.each([
    ["192.0.2.0/24", undefined],
    ["2001:db8::/32", undefined],
    ["10.0.0.0/7", /PMG accepts \/8 to \/32/],
    ["192.0.2.5/24", /write it as 192\.0\.2\.0\/24/],
    ["2001:DB8::/32", /write it as 2001:db8::\/32/],
    ["192.0.2.0", /not a CIDR/],
    ["192.0.2.0/24; rm -rf /", /not a CIDR/],
  ])("checks CIDR %s", (value, expected) => {
    const p = v.cidr(value);
    if (expected === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(expected);
  });

  it("normalizes IPv6 networks", () => {
    expect(v.normalizeCidr("2001:0db8:0000:0000:0000:0000:0000:0001/64")).toBe("2001:db8::/64");
    expect(v.normalizeCidr("fe80::1:2/10")).toBe("fe80::/10");
    expect(v.normalizeCidr("10.1.2.3/8")).toBe("10.0.0.0/8");
  });

  it.each(["example.net", "a-b.example.net", "xn--bcher-kva.example"])("accepts domain %s", (d) => {
    expect(v.mailDomain(d)).toBeUndefined();
  });

  it.each([
    "example",
    "-bad.example.net",
    "exa mple.net",
    "bücher.example",
    "192.0.2.1",
    "a..b.net",
    "x".repeat(64) + ".net",
  ])("rejects domain %s", (d) => {
    expect(v.mailDomain(d)).toBeDefined();
  });

  it("checks ports, hosts, fingerprints, selectors and key sizes", () => {
    expect(v.port(587)).toBeUndefined();
    expect(v.port(0)).toMatch(/1 to 65535/);
    expect(v.port("25")).toMatch(/1 to 65535/);
    expect(v.host("192.0.2.1")).toBeUndefined();
    expect(v.host("2001:db8::1")).toBeUndefined();
    expect(v.host("smtp.gmail.com")).toBeUndefined();
    expect(v.host("smtp.gmail.com:587")).toBeDefined();
    expect(v.sha256Fingerprint("AB:".repeat(31) + "CD")).toBeUndefined();
    expect(v.sha256Fingerprint("AB".repeat(32))).toMatch(/colons/);
    expect(v.dkimSelector("pmg2026")).toBeUndefined();
    expect(v.dkimSelector("pmg 2026")).toBeDefined();
    expect(v.dkimKeySize(2048)).toBeUndefined();
    expect(v.dkimKeySize(512)).toMatch(/2048 recommended/);
  });

  it("rejects endpoints with credentials or the wrong scheme", () => {
    expect(v.endpoint("https://pmg.lab.example.net:8006")).toBeUndefined();
    expect(v.endpoint("https://root:pw@pmg.lab.example.net:8006")).toMatch(
      /must not contain a user or password/,
    );
    expect(v.endpoint("http://pmg.lab.example.net:8006")).toMatch(/must use https:/);
    expect(v.endpoint("http://192.0.2.20:8080", ["https:", "http:"])).toBeUndefined();
  });

  it("checks e-mail addresses", () => {
    expect(v.email("noreply@example.net")).toBeUndefined();
    expect(v.email("a@b@example.net")).toMatch(/one @/);
    expect(v.email("no reply@example.net")).toMatch(/local part/);
    expect(v.email("noreply@example")).toMatch(/invalid domain/);
  });
});
