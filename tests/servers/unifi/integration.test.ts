import { INT, start, V2, type Started } from "./raw";

describe("the UniFi stand-in, integration dns/policies (10.1)", () => {
  let t: Started;
  let base: string;
  beforeAll(async () => {
    t = await start({ version: "10.1.78" });
    base = `${INT}/sites/${t.server.store.sites[0].id}/dns/policies`;
  });
  afterAll(() => t.close());
  beforeEach(() => t.server.reset());

  const policy = {
    type: "A_RECORD",
    enabled: true,
    domain: "pmg.lab.local",
    ipv4Address: "192.0.2.10",
    ttlSeconds: 300,
  };

  it("creates with 201, shows the record on v2 under another id, pages with limit at most 200", async () => {
    const created = await t.call("POST", base, policy);
    expect(created).toMatchObject({
      status: 201,
      json: { ...policy, id: expect.stringMatching(/^[0-9a-f-]{36}$/), metadata: { origin: "USER_DEFINED" } },
    });
    const v2 = (await t.call("GET", V2)).json;
    expect(v2).toEqual([expect.objectContaining({ key: "pmg.lab.local", value: "192.0.2.10", ttl: "300" })]);
    expect(v2[0]._id).not.toBe(created.json.id);
    for (let i = 0; i < 3; i++) await t.call("POST", base, { ...policy, domain: `h${i}.lab.local` });
    expect((await t.call("GET", `${base}?offset=1&limit=2`)).json).toMatchObject({
      offset: 1,
      limit: 2,
      count: 2,
      totalCount: 4,
    });
    expect((await t.call("GET", `${base}?limit=201`)).status).toBe(400);
    expect((await t.call("GET", `${base}?filter=domain.like('h*')`)).json).toMatchObject({
      count: 0,
      totalCount: 0,
    });
  });

  it("accepts a duplicate, gets one by id, updates in place and deletes", async () => {
    const { json } = await t.call("POST", base, policy);
    expect((await t.call("POST", base, { ...policy, ipv4Address: "192.0.2.99" })).status).toBe(201);
    expect((await t.call("GET", `${base}/${json.id}`)).json).toMatchObject(policy);
    expect((await t.call("PUT", `${base}/${json.id}`, { ...policy, ttlSeconds: 600 })).json).toMatchObject({
      id: json.id,
      ttlSeconds: 600,
    });
    expect((await t.call("DELETE", `${base}/${json.id}`)).status).toBe(200);
    expect((await t.call("GET", `${base}/${json.id}`)).status).toBe(404);
  });

  it("answers 400 in the documented envelope for id in the body, unknown properties and bad ranges", async () => {
    for (const body of [
      { ...policy, id: "x" },
      { ...policy, key: "x" },
      { ...policy, ttlSeconds: 86401 },
      { ...policy, type: "NS_RECORD" },
    ]) {
      const r = await t.call("POST", base, body);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        statusCode: 400,
        statusName: "BAD_REQUEST",
        code: expect.stringMatching(/^api\.request\./),
        message: expect.any(String),
        timestamp: expect.any(String),
        requestPath: expect.stringContaining("/dns/policies"),
        requestId: expect.any(String),
      });
    }
    expect((await t.call("POST", base, { ...policy, id: "x" })).json.code).toBe(
      "api.request.unknown-property",
    );
  });
});
