import { startPmgBed, type PmgBed } from "./bed";

describe("PMG sessions in one provider process", () => {
  let bed: PmgBed;
  beforeAll(async () => {
    bed = await startPmgBed();
  });
  afterAll(() => bed.close());

  it("log in once for every resource of every kind, even when the engine runs steps in parallel", async () => {
    const { engine, pmg, endpoint } = bed;
    await Promise.all([
      ...["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"].map((cidr) =>
        engine.up("pmg:PmgTrustedNetwork", { endpoint, cidr }),
      ),
      ...["example.net", "example.org"].flatMap((domain) => [
        engine.up("pmg:PmgRelayDomain", { endpoint, domain }),
        engine.up("pmg:PmgTransport", { endpoint, domain, host: "192.0.2.20" }),
        engine.up("pmg:PmgDkimDomain", { endpoint, domain }),
      ]),
      engine.up("pmg:PmgSmarthost", { endpoint, host: "smtp.gmail.com", port: 587 }),
      engine.up("pmg:PmgDkimSelector", { endpoint, selector: "pmg2026", keySize: 2048 }),
    ]);
    expect(
      pmg.state.mynetworks.size +
        pmg.state.domains.size +
        pmg.state.transport.size +
        pmg.state.dkimDomains.size,
    ).toBe(9);
    expect(pmg.counters.logins).toBe(1);
    // Creates look for existing entries in the list, never by a GET that PMG answers with an error
    // (which closes the connection): the pool is reused.
    expect(pmg.counters.tlsConnections).toBeLessThanOrEqual(9);
  });
});
