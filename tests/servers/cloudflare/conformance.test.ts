// The Cloudflare stand-in refuses what the real API refuses; each case names its source.
import { CloudflareApiError, CloudflareClient } from "../../../providers/cloudflare/client";
import { CLOUDFLARE_SPF, type DnsRecord, type Rule } from "./model";
import { startCloudflareServer, type CloudflareServerOptions, type CloudflareTestServer } from "./server";

const SPF_MERGED = "v=spf1 include:_spf.mx.cloudflare.net include:_spf.google.com ~all";

async function refusal(p: Promise<unknown>): Promise<{ status: number; codes: number[] }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CloudflareApiError) return { status: e.status, codes: e.codes };
    throw e;
  }
  throw new Error("expected the API to refuse");
}

describe("the Cloudflare stand-in", () => {
  const servers: CloudflareTestServer[] = [];
  const clients: CloudflareClient[] = [];
  async function start(opts: CloudflareServerOptions = {}, token?: string) {
    const cf = await startCloudflareServer(opts);
    servers.push(cf);
    const api = new CloudflareClient({
      baseUrl: cf.url,
      apiToken: token ?? cf.apiToken,
      tlsFingerprint: cf.fingerprint,
    });
    clients.push(api);
    return { cf, api, zone: cf.zoneIds[0], z: `/zones/${cf.zoneIds[0]}` };
  }
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  it("refuses any other token with 403/10000 and a malformed header with 400/6003", async () => {
    const { cf } = await start();
    const other = new CloudflareClient({
      baseUrl: cf.url,
      apiToken: "another-token",
      tlsFingerprint: cf.fingerprint,
    });
    const bad = new CloudflareClient({
      baseUrl: cf.url,
      apiToken: "not a token",
      tlsFingerprint: cf.fingerprint,
    });
    clients.push(other, bad);
    expect(await refusal(other.get(`/zones/${cf.zoneIds[0]}/dns_records`))).toEqual({
      status: 403,
      codes: [10000],
    });
    expect(await refusal(bad.get("/zones"))).toEqual({ status: 400, codes: [6003] });
  });

  it("starts with two empty zones in one account", async () => {
    const { cf, api } = await start();
    expect((await api.list<{ id: string }>("/zones")).map((z) => z.id)).toEqual(cf.zoneIds);
    for (const id of cf.zoneIds) expect(await api.list(`/zones/${id}/dns_records`)).toEqual([]);
    expect(await api.list(`/accounts/${cf.accountId}/email/routing/addresses`)).toEqual([]);
  });

  it("refuses a forwarding rule to an unverified destination with 400/2054 (api-schemas create-routing-rule)", async () => {
    const { cf, api, z } = await start();
    await api.post(`/accounts/${cf.accountId}/email/routing/addresses`, { email: "box@example.com" });
    const rule = {
      name: "r",
      matchers: [{ type: "literal", field: "to", value: "a@example.net" }],
      actions: [{ type: "forward", value: ["box@example.com"] }],
    };
    expect(await refusal(api.post(`${z}/email/routing/rules`, rule))).toEqual({ status: 400, codes: [2054] });
    expect(
      await refusal(
        api.post(`${z}/email/routing/rules`, {
          ...rule,
          actions: [{ type: "forward", value: ["nobody@example.com"] }],
        }),
      ),
    ).toEqual({ status: 400, codes: [2054] });
    cf.model.markVerified("box@example.com");
    const made = await api.post<Rule>(`${z}/email/routing/rules`, rule);
    expect(made).toMatchObject({ enabled: true, priority: 0, actions: rule.actions });
  });

  it("answers 100640 for a destination address the account already has, whatever its case", async () => {
    const { cf, api } = await start();
    const path = `/accounts/${cf.accountId}/email/routing/addresses`;
    await api.post(path, { email: "box@example.com" });
    expect(await refusal(api.post(path, { email: "Box@Example.com" }))).toEqual({
      status: 400,
      codes: [100640],
    });
  });

  it("refuses the apex as `name` with 422/2007 by default (#5890), accepts it when told, and always accepts no name", async () => {
    const refusing = await start();
    expect(
      await refusal(refusing.api.post(`${refusing.z}/email/routing/dns`, { name: "example.net" })),
    ).toEqual({
      status: 422,
      codes: [2007],
    });
    expect(await refusing.api.post(`${refusing.z}/email/routing/dns`, {})).toMatchObject({
      enabled: true,
      name: "example.net",
      status: "ready",
    });
    const accepting = await start({ apexName: "accept" });
    expect(
      await accepting.api.post(`${accepting.z}/email/routing/dns`, { name: "example.net" }),
    ).toMatchObject({
      enabled: true,
      status: "ready",
    });
  });

  it("locks the MX records it adds; PATCH email/routing/dns unlocks them (schema: 'Unlock MX Records')", async () => {
    const { api, z } = await start();
    await api.post(`${z}/email/routing/dns`, {});
    const mx = (await api.list<DnsRecord>(`${z}/dns_records?type=MX`)).map((r) => [r.content, r.meta]);
    expect(mx.map(([c]) => c)).toEqual([
      "route1.mx.cloudflare.net",
      "route2.mx.cloudflare.net",
      "route3.mx.cloudflare.net",
    ]);
    const id = (await api.list<DnsRecord>(`${z}/dns_records?type=MX`))[0].id;
    expect((await refusal(api.delete(`${z}/dns_records/${id}`))).status).toBe(400);
    expect((await refusal(api.patch(`${z}/dns_records/${id}`, { priority: 1 }))).status).toBe(400);
    expect(await api.patch(`${z}/email/routing/dns`, {})).toMatchObject({ status: "unlocked" });
    await api.delete(`${z}/dns_records/${id}`);
    expect(await api.get(`${z}/email/routing`)).toMatchObject({ enabled: true, status: "misconfigured" });
  });

  it("replaces an existing apex SPF on enable, even one already holding Cloudflare's include (#6444)", async () => {
    const { api, z } = await start();
    const mine = await api.post<DnsRecord>(`${z}/dns_records`, {
      type: "TXT",
      name: "example.net",
      content: `"${SPF_MERGED}"`,
      ttl: 1,
    });
    await api.post(`${z}/email/routing/dns`, {});
    const spf = (await api.list<DnsRecord>(`${z}/dns_records?type=TXT&name=example.net`)).map((r) => [
      r.id,
      r.content,
    ]);
    expect(spf).toEqual([[mine.id, CLOUDFLARE_SPF]]);
  });

  it("adds a second SPF in mode add and keeps the record in mode keep; adds its own where none exists", async () => {
    for (const [mode, expected] of [
      ["add", [`"v=spf1 include:_spf.google.com ~all"`, CLOUDFLARE_SPF]],
      ["keep", [`"v=spf1 include:_spf.google.com ~all"`]],
    ] as const) {
      const { api, z } = await start({ spfOnEnable: mode });
      await api.post(`${z}/dns_records`, {
        type: "TXT",
        name: "@",
        content: `"v=spf1 include:_spf.google.com ~all"`,
      });
      await api.post(`${z}/email/routing/dns`, {});
      expect(
        (await api.list<DnsRecord>(`${z}/dns_records?type=TXT&name=example.net`)).map((r) => r.content),
      ).toEqual(expected);
    }
    const fresh = await start();
    await fresh.api.post(`${fresh.z}/email/routing/dns`, {});
    expect(
      (await fresh.api.list<DnsRecord>(`${fresh.z}/dns_records?type=TXT&name=example.net`)).map(
        (r) => r.content,
      ),
    ).toEqual([CLOUDFLARE_SPF]);
  });

  it("stores a quoted TXT string over 255 bytes split, returns FQDNs, and refuses an identical record with 81058", async () => {
    const { api, z } = await start();
    const value = `v=DKIM1; k=rsa; p=${"A".repeat(380)}`;
    const r = await api.post<DnsRecord>(`${z}/dns_records`, {
      type: "TXT",
      name: "sel._domainkey",
      content: `"${value}"`,
      ttl: 1,
    });
    expect(r.name).toBe("sel._domainkey.example.net");
    expect(r.content).toBe(`"${value.slice(0, 255)}" "${value.slice(255)}"`);
    expect(
      await refusal(
        api.post(`${z}/dns_records`, {
          type: "TXT",
          name: "sel._domainkey.example.net",
          content: `"${value}"`,
        }),
      ),
    ).toEqual({
      status: 400,
      codes: [81058],
    });
  });

  it("pages lists (rules: 20 a page by default) and disables rules whose destination is deleted", async () => {
    const { cf, api, z } = await start();
    const addr = await api.post<{ id: string }>(`/accounts/${cf.accountId}/email/routing/addresses`, {
      email: "box@example.com",
    });
    cf.model.markVerified("box@example.com");
    for (let i = 0; i < 25; i++)
      await api.post(`${z}/email/routing/rules`, {
        matchers: [{ type: "literal", field: "to", value: `a${i}@example.net` }],
        actions: [{ type: "forward", value: ["box@example.com"] }],
      });
    const raw = await fetchPage(cf, `${z}/email/routing/rules`);
    expect(raw).toMatchObject({ result_info: { page: 1, per_page: 20, total_count: 25, total_pages: 2 } });
    expect(await api.list<Rule>(`${z}/email/routing/rules`, 20)).toHaveLength(25);
    await api.delete(`/accounts/${cf.accountId}/email/routing/addresses/${addr.id}`);
    expect((await api.list<Rule>(`${z}/email/routing/rules`)).every((r) => !r.enabled)).toBe(true);
  });
});

async function fetchPage(cf: CloudflareTestServer, path: string): Promise<unknown> {
  const { fetch } = await import("undici");
  const { createDispatcher } = await import("../../../providers/http");
  const dispatcher = createDispatcher({ tlsFingerprint: cf.fingerprint });
  const res = await fetch(`${cf.url}${path}`, {
    headers: { authorization: `Bearer ${cf.apiToken}` },
    dispatcher,
  });
  const body = await res.json();
  await dispatcher.close();
  return body;
}
