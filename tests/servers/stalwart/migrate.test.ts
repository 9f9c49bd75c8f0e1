/**
 * The replay of Stalwart's 0.15 -> 0.16 migration (migrate.ts) follows migrate_v016.py at d72608f3:
 * names, domains, aliases, the default domain, kept ids, and zeroed usage counters.
 */
import { hashPassword } from "../../../providers/stalwart/passwords";
import { JmapStore } from "./jmap/store";
import { migrateV016 } from "./migrate";
import { blank, RestDirectory, type PType } from "./rest/directory";

function directory(entries: [PType, string, string[], number?][]): RestDirectory {
  const dir = new RestDirectory();
  for (const [type, name, emails, used] of entries) {
    const p = blank(dir.newId(), type, name);
    p.emails = emails;
    p.usedQuota = used ?? 0;
    if (type === "individual") p.secrets = [hashPassword("Velvet-Harbor-71-Quince")];
    dir.principals.set(p.id, p);
  }
  return dir;
}

describe("migrateV016 (a replay of resources/scripts/migrate_v016.py)", () => {
  it("names accounts after the old principal name, on the domain of a matching address, else the first's (lines 929-996)", () => {
    const dir = directory([
      ["domain", "example.net", []],
      ["individual", "siem", ["alerts@example.net", "siem@example.org"]],
      ["individual", "misp", ["alerts2@example.net", "x@example.org"]],
      ["individual", "bob@example.org", ["robert@example.net"]],
      ["individual", "nomail", []],
    ]);
    const to = new JmapStore();
    const { accounts } = migrateV016(dir, to);
    expect(Object.fromEntries(accounts)).toEqual({
      siem: "siem@example.org",
      misp: "misp@example.net",
      "bob@example.org": "bob@example.org",
      // No address: the default domain, the most common primary domain (two of three here; lines 905-927).
      nomail: "nomail@example.org",
    });
    // Domains come from domain principals and from every address, created in sorted order (lines 840-903).
    expect([...to.domains.values()].map((d) => [d.name, d.dkimManagement["@type"]])).toEqual([
      ["example.net", "Automatic"],
      ["example.org", "Automatic"],
    ]);
    const siem = to.accountByAddress("siem@example.org")!;
    // Every other address is an alias (lines 998-1027); the first address is not the account's own.
    expect(to.addresses(siem)).toEqual(["siem@example.org", "alerts@example.net"]);
    expect(to.accountByAddress("alerts@example.net")).toBeUndefined();
    // The old principal id is kept (restore-<id>), and the next create comes after it.
    expect(siem.id).toBe(dir.byName("siem")!.id);
    expect(to.peekId("Account")).toBe(Math.max(...[...dir.principals.keys()]) + 1);
  });

  it("carries the password hash verbatim, and zeroes every usage counter until the recount (UPGRADING/v0_16.md line 159)", () => {
    const dir = directory([
      ["domain", "example.net", []],
      ["individual", "noreply", ["noreply@example.net"], 4096],
    ]);
    const to = new JmapStore();
    migrateV016(dir, to);
    expect(to.login("noreply@example.net", "Velvet-Harbor-71-Quince")).toBeDefined();
    const a = to.accountByAddress("noreply@example.net")!;
    expect(a.usedDiskQuota).toBe(0);
    expect(a.roles).toEqual({ "@type": "User" });
    to.recalculateDiskQuotas();
    expect(to.accountByAddress("noreply@example.net")!.usedDiskQuota).toBe(4096);
  });
});
