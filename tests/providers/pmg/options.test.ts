import { startPmgBed, type PmgBed } from "./bed";

const SMARTHOST = "pmg:PmgSmarthost";
const SIGNING = "pmg:PmgDkimSigning";

describe("PMG settings resources through the provider host", () => {
  let bed: PmgBed;
  beforeAll(async () => {
    bed = await startPmgBed();
  });
  afterAll(() => bed.close());
  beforeEach(() => bed.pmg.reset());

  const mail = () => Object.fromEntries(bed.pmg.state.section("mail"));

  it("sets the smarthost, leaves other keys alone, and unsets only its own keys on delete", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.section("mail").set("banner", "ESMTP lab");
    const created = await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 });
    expect(created.state.id).toBe("mail/smarthost");
    expect(created.state.outputs).toMatchObject({ endpoint, host: "smtp.gmail.com", port: 587 });
    expect(mail()).toMatchObject({ smarthost: "smtp.gmail.com", smarthostport: 587, banner: "ESMTP lab" });

    const rewrites = pmg.counters.configRewrites;
    const same = await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 }, created.state);
    expect(same.step).toBe("same");
    expect(pmg.counters.configRewrites).toBe(rewrites);

    const updated = await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 465 }, same.state);
    expect([updated.step, mail().smarthostport]).toEqual(["update", 465]);

    await engine.destroy(updated.state);
    expect(mail()).toEqual({ banner: "ESMTP lab" });
  });

  it("reports PMG's internal port, where the trusted networks relay: int_port when set, else PMG's default 26", async () => {
    const { engine, pmg, endpoint } = bed;
    const first = await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 });
    expect(first.state.outputs.internalPort).toBe(26); // GET /config/mail returns only keys set explicitly
    pmg.state.section("mail").set("int_port", 2626);
    const refreshed = (await engine.refresh(first.state))!;
    expect(refreshed.outputs.internalPort).toBe(2626);
    // Read, never written or declared: the next up sees no change and PUTs nothing.
    const rewrites = pmg.counters.configRewrites;
    const same = await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 }, refreshed);
    expect(same.step).toBe("same");
    expect(pmg.counters.configRewrites).toBe(rewrites);
    expect(mail().int_port).toBe(2626);
  });

  it("does not write when the section already holds the declared values (each PUT is a full config sync)", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.section("mail").set("smarthost", "smtp.gmail.com");
    pmg.state.section("mail").set("smarthostport", 587);
    const rewrites = pmg.counters.configRewrites;
    await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 });
    expect(pmg.counters.configRewrites).toBe(rewrites);
  });

  it("refuses to overwrite a smarthost set by hand, and shows drift on refresh", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.section("mail").set("smarthost", "relay.isp.example");
    await expect(engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 })).rejects.toThrow(
      /smarthost settings on .* already set and differ \(smarthost is "relay\.isp\.example", declared "smtp\.gmail\.com"\)\. Nothing was changed/,
    );
    expect(mail().smarthost).toBe("relay.isp.example");

    pmg.state.section("mail").delete("smarthost");
    const { state } = await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 });
    pmg.state.section("mail").set("smarthostport", 25);
    const refreshed = (await engine.refresh(state))!;
    expect(refreshed.outputs.port).toBe(25);
    const fixed = await engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: 587 }, refreshed);
    expect([fixed.step, mail().smarthostport]).toEqual(["update", 587]);
  });

  it("switches DKIM signing on and, on delete, off again", async () => {
    const { engine, pmg, endpoint } = bed;
    const { state } = await engine.up(SIGNING, { endpoint, enabled: true });
    expect(pmg.state.section("admin").get("dkim_sign")).toBe(1);
    expect(state.outputs).toMatchObject({ enabled: true, useDomain: null });
    await engine.destroy(state);
    expect(pmg.state.section("admin").has("dkim_sign")).toBe(false);
  });

  it("rejects a wrongly typed setting in check", async () => {
    const { engine, endpoint } = bed;
    await expect(engine.up(SIGNING, { endpoint, enabled: "yes" })).rejects.toThrow(
      /enabled: must be true or false/,
    );
    await expect(engine.up(SMARTHOST, { endpoint, host: "smtp.gmail.com", port: "587" })).rejects.toThrow(
      /port: must be a whole number/,
    );
  });
});
