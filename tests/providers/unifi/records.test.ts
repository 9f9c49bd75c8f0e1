import * as r from "../../../providers/unifi/records";

const listed = (x: Partial<r.ListedRecord>): r.ListedRecord => ({
  id: "1",
  name: "pmg.lab.local",
  type: "A",
  value: "192.0.2.10",
  ttl: 0,
  enabled: true,
  ...x,
});
const spec: r.RecordSpec = { name: "pmg.lab.local", type: "A", value: "192.0.2.10", enabled: true };

describe("UniFi record rules", () => {
  it("accept the mission's records and refuse what either surface would", () => {
    expect([
      r.recordName("pmg.lab.local"),
      r.recordName("pmg.lab.local."),
      r.recordType("CNAME"),
      r.recordValue("A", "192.0.2.10"),
    ]).toEqual([undefined, undefined, undefined, undefined]);
    expect(r.recordName(`${"a".repeat(60)}.${"b".repeat(60)}.lab.local`)).toMatch(/at most 127/);
    expect(r.recordName("*.lab.local")).toMatch(/not a valid DNS name/);
    expect(r.recordType("MX")).toMatch(/A, AAAA, CNAME/);
    expect(r.recordValue("A", "2001:db8::1")).toMatch(/IPv4/);
    expect(r.recordValue("AAAA", "192.0.2.1")).toMatch(/IPv6/);
    expect(r.recordValue("CNAME", "not a name")).toMatch(/target name/);
    expect([r.recordTtl(undefined), r.recordTtl(0), r.recordTtl(65535)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect([r.recordTtl(65536), r.recordTtl(1.5), r.recordTtl("300")].every(Boolean)).toBe(true);
    expect([r.siteName("default"), r.siteName("a1b2c3d4")]).toEqual([undefined, undefined]);
    expect(r.siteName("my site")).toMatch(/short name/);
  });

  it("normalize names and values the way the console compares them", () => {
    expect(r.normalizeName("PMG.Lab.Local.")).toBe("pmg.lab.local");
    expect(r.normalizeValue("AAAA", "2001:DB8:0:0:0:0:0:10")).toBe("2001:db8::10");
    expect(r.normalizeValue("CNAME", "Mail.Lab.Local.")).toBe("mail.lab.local");
    expect(r.normalizeValue("A", "192.0.2.10")).toBe("192.0.2.10");
  });

  it("compare ttl only when declared, and value and enabled always", () => {
    expect(r.differences(spec, listed({ ttl: 300 }))).toEqual([]);
    expect(
      r.differences({ ...spec, ttl: 600 }, listed({ ttl: 300, value: "192.0.2.11", enabled: false })),
    ).toEqual(["value", "ttl", "enabled"]);
    expect(
      r.differences(
        { ...spec, type: "AAAA", value: "2001:db8::10" },
        listed({ type: "AAAA", value: "2001:DB8:0::10" }),
      ),
    ).toEqual([]);
  });

  it("find duplicates of name and type, and any record beside a CNAME", () => {
    const all = [
      listed({ id: "a" }),
      listed({ id: "b", name: "PMG.lab.local" }),
      listed({ id: "c", type: "TXT" }),
      listed({ id: "d", name: "mail.lab.local", type: "CNAME" }),
    ];
    expect(r.clashes(spec, all)).toEqual({ same: [all[0], all[1]], other: [] });
    expect(r.clashes({ name: "pmg.lab.local", type: "CNAME" }, all).other.map((x) => x.id)).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(r.clashes({ name: "mail.lab.local", type: "A" }, all).other.map((x) => x.id)).toEqual(["d"]);
  });

  it("read numbers and booleans leniently", () => {
    expect([
      r.looseInt(300),
      r.looseInt("300"),
      r.looseInt(""),
      r.looseInt(undefined),
      r.looseInt("x"),
    ]).toEqual([300, 300, 0, 0, 0]);
    expect([r.looseBool(false), r.looseBool("false"), r.looseBool(undefined), r.looseBool("true")]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
