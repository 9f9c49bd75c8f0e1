import { CheckFailed, type State } from "../engine";
import { startPmgBed, type PmgBed } from "./bed";

const NET = "pmg:PmgTrustedNetwork";
const TRANSPORT = "pmg:PmgTransport";
const RELAY = "pmg:PmgRelayDomain";

describe.each([9, 8, 7] as const)("PMG list entries through the provider host (PMG %i)", (version) => {
  let bed: PmgBed;
  beforeAll(async () => {
    bed = await startPmgBed({ version });
  });
  afterAll(() => bed.close());
  beforeEach(() => bed.pmg.reset());

  const writes = () =>
    Object.entries(bed.pmg.counters.requestsByPath)
      .filter(([k]) => !k.startsWith("GET ") && !k.startsWith("POST /access"))
      .reduce((n, [, c]) => n + c, 0);

  it("runs a trusted network's whole lifecycle", async () => {
    const { engine, pmg, endpoint } = bed;
    const created = await engine.up(NET, { endpoint, cidr: "192.0.2.0/24", comment: "lan" });
    expect(created.step).toBe("create");
    expect(created.state.outputs).toMatchObject({ endpoint, cidr: "192.0.2.0/24", comment: "lan" });
    expect(pmg.state.mynetworks.get("192.0.2.0/24")).toMatchObject({ comment: "lan" });

    const before = writes();
    const same = await engine.up(NET, { endpoint, cidr: "192.0.2.0/24", comment: "lan" }, created.state);
    expect(same.step).toBe("same");
    expect(writes()).toBe(before);

    const updated = await engine.up(NET, { endpoint, cidr: "192.0.2.0/24", comment: "main lan" }, same.state);
    expect(updated.step).toBe("update");
    expect(updated.state.outputs.comment).toBe("main lan");

    const cleared = await engine.up(NET, { endpoint, cidr: "192.0.2.0/24" }, updated.state);
    expect([cleared.step, cleared.state.outputs.comment]).toEqual(["update", ""]);

    const replaced = await engine.up(NET, { endpoint, cidr: "198.51.100.0/24", comment: "main lan" }, cleared.state);
    expect([replaced.step, replaced.replaces]).toEqual(["replace", ["cidr"]]);
    expect([...pmg.state.mynetworks.keys()]).toEqual(["198.51.100.0/24"]);

    await engine.destroy(replaced.state);
    expect(pmg.state.mynetworks.size).toBe(0);
    await engine.destroy(replaced.state); // already gone: done
  });

  it("shows hand edits on refresh and converges them on the next up", async () => {
    const { engine, pmg, endpoint } = bed;
    const { state } = await engine.up(NET, { endpoint, cidr: "192.0.2.0/24", comment: "lan" });
    pmg.state.mynetworks.set("192.0.2.0/24", { comment: "edited by hand" });
    const refreshed = (await engine.refresh(state))!;
    expect(refreshed.outputs.comment).toBe("edited by hand");
    const again = await engine.up(NET, { endpoint, cidr: "192.0.2.0/24", comment: "lan" }, refreshed);
    expect(again.step).toBe("update");
    expect(pmg.state.mynetworks.get("192.0.2.0/24")).toMatchObject({ comment: "lan" });

    pmg.state.mynetworks.delete("192.0.2.0/24");
    expect(await engine.refresh(again.state)).toBeUndefined();
  });

  it("adopts an identical entry, refuses a different one, and overwrites it only when told to", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.domains.set("example.net", { comment: "CTI service domain" });
    const adopted = await engine.up(RELAY, { endpoint, domain: "example.net", comment: "CTI service domain" });
    expect(adopted.state.id).toBe("example.net");

    pmg.state.domains.set("example.org", { comment: "made by hand" });
    const refused = engine.up(RELAY, { endpoint, domain: "example.org", comment: "Brand domain" });
    await expect(refused).rejects.toThrow(
      /relay domain example\.org on .* already exists and differs \(comment is "made by hand", declared "Brand domain"\)\. Nothing was changed\. .*pulumi config set homelab-mail:adoptExisting true/,
    );
    expect(pmg.state.domains.get("example.org")).toMatchObject({ comment: "made by hand" });

    const adopting = await bed.engineWith({ "homelab-mail:adoptExisting": "true" });
    const taken = await adopting.up(RELAY, { endpoint, domain: "example.org", comment: "Brand domain" });
    expect(taken.state.outputs.comment).toBe("Brand domain");
    expect(pmg.state.domains.get("example.org")).toMatchObject({ comment: "Brand domain" });
  });

  it("rejects bad input in check, before any request", async () => {
    const { engine, pmg, endpoint } = bed;
    const requests = pmg.counters.requests;
    const bad = async (kind: string, inputs: Record<string, unknown>) => {
      const e = await engine.up(kind, inputs).catch((x) => x);
      expect(e).toBeInstanceOf(CheckFailed);
      return (e as CheckFailed).failures;
    };
    expect(await bad(NET, { endpoint, cidr: "10.0.0.0/7" })).toEqual([{ property: "cidr", reason: expect.stringMatching(/PMG accepts \/8 to \/32/) }]);
    expect(await bad(NET, { endpoint, cidr: "192.0.2.0/24", comment: "a\nb" })).toEqual([{ property: "comment", reason: expect.stringMatching(/one line/) }]);
    expect(await bad(TRANSPORT, { endpoint, domain: "example.net", host: "mail example", port: 70000 })).toEqual([
      { property: "host", reason: expect.stringMatching(/hostname or an IP/) },
      { property: "port", reason: expect.stringMatching(/1 to 65535/) },
    ]);
    expect(await bad(RELAY, { endpoint: "http://pmg:8006", domain: "example.net" })).toEqual([{ property: "endpoint", reason: expect.stringMatching(/https:/) }]);
    expect(pmg.counters.requests).toBe(requests);
  });

  it("keeps a transport to an IP host stable although PMG reads use_mx back as 0", async () => {
    const { engine, pmg, endpoint } = bed;
    const created = await engine.up(TRANSPORT, { endpoint, domain: "Example.NET", host: "192.0.2.20", port: 25, useMx: true, comment: "Deliver to Stalwart" });
    expect(created.state.outputs).toMatchObject({ domain: "example.net", host: "192.0.2.20", port: 25, protocol: "smtp", useMx: false });
    const same = await engine.up(TRANSPORT, { endpoint, domain: "example.net", host: "192.0.2.20", port: 25, useMx: true, comment: "Deliver to Stalwart" }, created.state);
    expect(same.step).toBe("same");

    // A new next hop is an in-place update, never a delete and re-create of the domain's route.
    const moved = await engine.up(TRANSPORT, { endpoint, domain: "example.net", host: "mail.example.net", port: 2525, useMx: false, comment: "Deliver to Stalwart" }, same.state);
    expect(moved.step).toBe("update");
    const entry = pmg.state.transport.get("example.net")!;
    expect([entry.host, Number(entry.port)]).toEqual(["mail.example.net", 2525]);
    expect(moved.state.outputs.port).toBe(2525);
  });

  it("puts back an entry deleted by hand when an update finds it missing", async () => {
    const { engine, pmg, endpoint } = bed;
    const { state } = await engine.up(TRANSPORT, { endpoint, domain: "example.net", host: "192.0.2.20" });
    pmg.state.transport.delete("example.net");
    const r = await engine.up(TRANSPORT, { endpoint, domain: "example.net", host: "192.0.2.21" }, state);
    expect(r.step).toBe("update");
    expect(pmg.state.transport.get("example.net")).toMatchObject({ host: "192.0.2.21" });
  });
});
