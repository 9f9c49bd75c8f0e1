import { startPmgBed, type PmgBed } from "./bed";

const TRANSPORT = "pmg:PmgTransport";
const RELAY = "pmg:PmgRelayDomain";
const NETWORK = "pmg:PmgTrustedNetwork";

/** The write requests among the stand-in's per-path counters. */
const writes = (byPath: Record<string, number>) => Object.keys(byPath).filter((k) => !/^GET /.test(k));

describe.each([9, 8, 7] as const)("PMG list entries on PMG %i through the provider host", (version) => {
  let bed: PmgBed;
  beforeAll(async () => {
    bed = await startPmgBed({ version });
  });
  afterAll(() => bed.close());
  beforeEach(() => bed.pmg.reset());

  it("adopts an identical entry; a comment is a label: changed when declared, kept when not, never a refusal", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.domains.set("example.net", { comment: "CTI service domain" });
    const adopted = await engine.up(RELAY, {
      endpoint,
      domain: "example.net",
      comment: "CTI service domain",
    });
    expect(adopted.state.id).toBe("example.net");

    pmg.state.domains.set("example.org", { comment: "made by hand" });
    pmg.resetCounters();
    const kept = await engine.up(RELAY, { endpoint, domain: "example.org" });
    expect(kept.state.outputs.comment).toBe("made by hand");
    // Create first (issue 15): the one write is the POST PMG refuses as a duplicate, which changes nothing.
    expect(writes(pmg.counters.requestsByPath)).toEqual(["POST /config/domains"]);
    expect(pmg.state.domains.get("example.org")).toEqual({ comment: "made by hand" });
    expect((await engine.up(RELAY, { endpoint, domain: "example.org" }, kept.state)).step).toBe("same");

    const changed = await engine.up(RELAY, { endpoint, domain: "example.org", comment: "Brand domain" });
    expect(changed.state.outputs.comment).toBe("Brand domain");
    expect(pmg.state.domains.get("example.org")).toMatchObject({ comment: "Brand domain" });
  });

  it("clears a comment on every version (PMG 7 drops an empty form value), and the next run is a no-op", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.domains.set("example.net", { comment: "CTI service domain" });
    pmg.state.mynetworks.set("192.0.2.0/24", { comment: "Main LAN" });
    pmg.state.transport.set("example.net", {
      host: "192.0.2.20",
      protocol: "smtp",
      port: 25,
      use_mx: 0,
      comment: "Deliver to Stalwart",
    });
    const relay = await engine.up(RELAY, { endpoint, domain: "example.net", comment: "" });
    const net = await engine.up(NETWORK, { endpoint, cidr: "192.0.2.0/24", comment: "" });
    const transport = await engine.up(TRANSPORT, {
      endpoint,
      domain: "example.net",
      host: "192.0.2.20",
      comment: "",
    });
    expect(pmg.state.domains.get("example.net")?.comment ?? "").toBe("");
    expect(pmg.state.transport.get("example.net")?.comment ?? "").toBe("");
    // mynetworks keeps a blank comment as written (read_pmg_mynetworks): blank is no comment.
    expect((pmg.state.mynetworks.get("192.0.2.0/24")?.comment ?? "").trim()).toBe("");
    const again = await Promise.all([
      engine.up(RELAY, { endpoint, domain: "example.net", comment: "" }, relay.state),
      engine.up(NETWORK, { endpoint, cidr: "192.0.2.0/24", comment: "" }, net.state),
      engine.up(
        TRANSPORT,
        { endpoint, domain: "example.net", host: "192.0.2.20", comment: "" },
        transport.state,
      ),
    ]);
    expect(again.map((r) => r.step)).toEqual(["same", "same", "same"]);
  });

  it("refuses a transport to another host, and overwrites it only when told to", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.transport.set("example.org", {
      host: "192.0.2.99",
      protocol: "smtp",
      port: 25,
      use_mx: 0,
      comment: "",
    });
    const refused = engine.up(TRANSPORT, {
      endpoint,
      domain: "example.org",
      host: "192.0.2.20",
      comment: "x",
    });
    await expect(refused).rejects.toThrow(
      /transport example\.org on .* already exists and differs \(host is "192\.0\.2\.99", declared "192\.0\.2\.20"\)\. Nothing was changed\. .*pulumi config set homelab-mail:adoptExisting true/,
    );
    expect(pmg.state.transport.get("example.org")).toMatchObject({ host: "192.0.2.99", comment: "" });

    const adopting = await bed.engineWith({ "homelab-mail:adoptExisting": "true" });
    const taken = await adopting.up(TRANSPORT, { endpoint, domain: "example.org", host: "192.0.2.20" });
    expect(taken.state.outputs.host).toBe("192.0.2.20");
    expect(pmg.state.transport.get("example.org")).toMatchObject({ host: "192.0.2.20" });
  });

  it("sends a create again when the connection closed before PMG handled it, and converges in that run", async () => {
    const { engine, pmg, endpoint } = bed;
    // The server closes the connection as the POST arrives (nothing handled): provably not applied.
    pmg.dropNext(1, "POST");
    const made = await engine.up(RELAY, { endpoint, domain: "example.net", comment: "CTI service domain" });
    expect(made.state.outputs.comment).toBe("CTI service domain");
    expect(pmg.counters.requestsByPath["POST /config/domains"]).toBe(2);
    // The answer of a POST that was handled is lost: the entry is there, judged and adopted, not sent twice.
    pmg.resetCounters();
    pmg.dropAfterHandlingNext(1, "POST");
    const second = await engine.up(RELAY, { endpoint, domain: "example.org", comment: "Brand domain" });
    expect(second.state.outputs.comment).toBe("Brand domain");
    expect(pmg.counters.requestsByPath["POST /config/domains"]).toBe(1);
    expect([...pmg.state.domains.keys()].sort()).toEqual(["example.net", "example.org"]);
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
