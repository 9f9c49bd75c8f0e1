import { startPmgBed, type PmgBed } from "./bed";

const TRANSPORT = "pmg:PmgTransport";
const RELAY = "pmg:PmgRelayDomain";

describe.each([9, 8, 7] as const)("PMG list entries on PMG %i through the provider host", (version) => {
  let bed: PmgBed;
  beforeAll(async () => {
    bed = await startPmgBed({ version });
  });
  afterAll(() => bed.close());
  beforeEach(() => bed.pmg.reset());

  it("adopts an identical entry, refuses a different one, and overwrites it only when told to", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.domains.set("example.net", { comment: "CTI service domain" });
    const adopted = await engine.up(RELAY, {
      endpoint,
      domain: "example.net",
      comment: "CTI service domain",
    });
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

  it("keeps a transport to an IP host stable although PMG reads use_mx back as 0", async () => {
    const { engine, pmg, endpoint } = bed;
    const created = await engine.up(TRANSPORT, {
      endpoint,
      domain: "Example.NET",
      host: "192.0.2.20",
      port: 25,
      useMx: true,
      comment: "Deliver to Stalwart",
    });
    expect(created.state.outputs).toMatchObject({
      domain: "example.net",
      host: "192.0.2.20",
      port: 25,
      protocol: "smtp",
      useMx: false,
    });
    const same = await engine.up(
      TRANSPORT,
      {
        endpoint,
        domain: "example.net",
        host: "192.0.2.20",
        port: 25,
        useMx: true,
        comment: "Deliver to Stalwart",
      },
      created.state,
    );
    expect(same.step).toBe("same");

    // A new next hop is an in-place update, never a delete and re-create of the domain's route.
    const moved = await engine.up(
      TRANSPORT,
      {
        endpoint,
        domain: "example.net",
        host: "mail.example.net",
        port: 2525,
        useMx: false,
        comment: "Deliver to Stalwart",
      },
      same.state,
    );
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
