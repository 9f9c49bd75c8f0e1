import { A, INT, start, V2, type Started } from "./raw";

describe("the UniFi stand-in, v2 static-dns", () => {
  let t: Started;
  beforeAll(async () => (t = await start({ version: "9.4.19" })));
  afterAll(() => t.close());
  beforeEach(() => t.server.reset());

  it("lists a bare array, with unset numbers as empty strings and set ones as strings", async () => {
    t.server.store.addByHand({ key: "mail.lab.local", type: "A", value: "192.0.2.20", ttl: 300 });
    const r = await t.call("GET", V2);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([
      expect.objectContaining({
        _id: expect.stringMatching(/^[0-9a-f]{24}$/),
        key: "mail.lab.local",
        record_type: "A",
        ttl: "300",
        priority: "",
        enabled: true,
      }),
    ]);
  });

  it("creates, accepts a duplicate, updates and deletes; a single GET is 405", async () => {
    const created = await t.call("POST", V2, A);
    expect(created).toMatchObject({ status: 200, json: { ...A, ttl: "", _id: expect.any(String) } });
    expect((await t.call("POST", V2, { ...A, value: "192.0.2.11" })).status).toBe(200);
    expect(t.server.store.duplicates()).toHaveLength(1);
    expect(t.server.store.peakSameName).toBe(2);

    const id = created.json._id;
    expect((await t.call("GET", `${V2}/${id}`)).status).toBe(405);
    expect((await t.call("PUT", `${V2}/${id}`, { ...A, value: "192.0.2.12" })).json).toMatchObject({
      _id: id,
      value: "192.0.2.12",
    });
    expect(await t.call("DELETE", `${V2}/${id}`)).toMatchObject({ status: 200, text: "" });
    expect((await t.call("DELETE", `${V2}/${id}`)).status).toBe(404);
    expect(t.server.counters.dnsmasqReloads).toBe(4);
  });

  it("refuses fields a type does not take, _id on create, and an A record that is not IPv4", async () => {
    const bad = [
      { ...A, priority: 10 },
      { ...A, _id: "0123456789abcdef01234567" },
      { ...A, value: "pmg.lab.local" },
      { ...A, ttl: "300" },
      { key: A.key, record_type: "A", value: A.value },
    ];
    for (const body of bad) {
      const r = await t.call("POST", V2, body);
      expect([r.status, r.json]).toEqual([
        400,
        { code: expect.stringMatching(/^api\.err\./), message: expect.any(String), errorCode: 400 },
      ]);
    }
    expect(t.server.store.records).toHaveLength(0);
  });

  it("answers PUT with 405 when switched to the no-PUT behaviour", async () => {
    const other = await start({ version: "9.4.19", v2Put: false });
    try {
      const { json } = await other.call("POST", V2, A);
      expect((await other.call("PUT", `${V2}/${json._id}`, A)).status).toBe(405);
    } finally {
      await other.close();
    }
  });

  it("has no integration DNS policies before 10.1, but /info and sites", async () => {
    expect((await t.call("GET", `${INT}/info`)).json).toEqual({ applicationVersion: "9.4.19" });
    const sites = await t.call("GET", `${INT}/sites?filter=internalReference.eq('default')`);
    expect(sites.json).toMatchObject({
      offset: 0,
      count: 1,
      totalCount: 1,
      data: [{ internalReference: "default" }],
    });
    expect((await t.call("GET", `${INT}/sites/${sites.json.data[0].id}/dns/policies`)).status).toBe(404);
  });
});
