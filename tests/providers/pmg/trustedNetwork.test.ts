/**
 * The trusted-network resource refuses a public range on its own (a program that builds it without
 * the stack config's check), accepts it when acknowledged, and never sends the acknowledgement to
 * PMG: the stand-in refuses any parameter outside PMG's schema, as pve-http-server does, so the
 * create succeeding proves it (issue 14, finding 4).
 */
import { CheckFailed } from "../engine";
import { startPmgBed, type PmgBed } from "./bed";

const KIND = "pmg:PmgTrustedNetwork";

describe("pmg:PmgTrustedNetwork and public ranges", () => {
  let bed: PmgBed;
  beforeAll(async () => {
    bed = await startPmgBed({ version: 9 });
  });
  afterAll(() => bed.close());
  beforeEach(() => bed.pmg.reset());

  it.each(["1.0.0.0/8", "64.0.0.0/8", "8.8.8.0/24", "2000::/8", "172.0.0.0/8"])(
    "refuses %s in check, before any request",
    async (cidr) => {
      const before = bed.pmg.counters.requests;
      const err = await bed.engine.up(KIND, { endpoint: bed.endpoint, cidr }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckFailed);
      expect((err as CheckFailed).failures).toEqual([
        {
          property: "cidr",
          reason: expect.stringMatching(
            /is public \(globally routable\).*open relay.*acknowledgePublic: true/,
          ),
        },
      ]);
      expect(bed.pmg.counters.requests).toBe(before);
      expect(bed.pmg.state.mynetworks.has(cidr)).toBe(false);
    },
  );

  it("creates an acknowledged public network, and PMG never sees the acknowledgement", async () => {
    const r = await bed.engine.up(KIND, {
      endpoint: bed.endpoint,
      cidr: "8.8.8.0/24",
      acknowledgePublic: true,
    });
    expect(r.state.id).toBe("8.8.8.0/24");
    expect([...bed.pmg.state.mynetworks.keys()]).toEqual(["8.8.8.0/24"]);
    expect(JSON.stringify(bed.pmg.state.mynetworks.get("8.8.8.0/24"))).not.toMatch(/acknowledge/i);
  });

  it("takes private ranges without an acknowledgement", async () => {
    const r = await bed.engine.up(KIND, { endpoint: bed.endpoint, cidr: "192.168.10.0/24" });
    expect(r.state.id).toBe("192.168.10.0/24");
  });

  it("refuses an acknowledgement that is not a boolean", async () => {
    const err = await bed.engine
      .up(KIND, { endpoint: bed.endpoint, cidr: "8.8.8.0/24", acknowledgePublic: "yes" })
      .catch((e: unknown) => e);
    expect((err as CheckFailed).failures).toEqual([
      { property: "acknowledgePublic", reason: 'must be true or false, got "yes"' },
    ]);
  });
});
