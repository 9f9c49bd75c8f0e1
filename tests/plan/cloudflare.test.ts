// The adoption plan's Cloudflare section over the guide's hand-built objects on the stand-in:
// what the first `up` does to each, read with GET requests only.
import { validateConfig, SECRET_KEYS } from "../../lib/config";
import { planCloudflare } from "../../plan/cloudflare";
import { closeCloudflareClient, parseCloudflareSettings } from "../../providers/cloudflare/settings";
import { configure } from "../../providers/context";
import { seedGuideCloudflare } from "../fixtures/guide/cloudflare";
import { guideConfig } from "../fixtures/guide/config";
import { startCloudflareServer, type CloudflareTestServer } from "../servers/cloudflare/server";

describe("the adoption plan for Cloudflare", () => {
  let cf: CloudflareTestServer;
  beforeAll(async () => {
    const raw = guideConfig();
    const domains = raw.domains as { name: string; cloudflareZoneId: string }[];
    cf = await startCloudflareServer({
      accountId: raw.cloudflareAccountId as string,
      zones: domains.map((d) => d.name),
      zoneIds: domains.map((d) => d.cloudflareZoneId),
    });
    seedGuideCloudflare(cf.model);
    const config: Record<string, string> = {
      "cloudflare:apiToken": cf.apiToken,
      "cloudflare:baseUrl": cf.url,
      "homelab-mail:cloudflareTlsFingerprint": cf.fingerprint,
    };
    await configure({ get: (k) => config[k] }, { cloudflare: parseCloudflareSettings });
  });
  afterAll(async () => {
    await closeCloudflareClient();
    await cf.close();
  });

  it("adopts the guide's addresses, routing, rules and DKIM, merges the SPF, and writes nothing", async () => {
    const raw = guideConfig();
    // The guide's Stalwart is plain http; this section does not reach it.
    raw.stalwart = { ...(raw.stalwart as object), allowPlainHttp: true };
    const section = (await planCloudflare(validateConfig(raw, new Set(SECRET_KEYS))))!;
    const line = (object: string) => section.items.find((i) => i.object === object);
    expect(line("destination address lab-service-box@example.com")?.action).toBe("adopt");
    expect(line("Email Routing on example.net")).toMatchObject({ action: "adopt", reason: "status ready" });
    expect(line("Email Routing on example.org")?.action).toBe("create");
    expect(line("rule or@example.net -> lab-personal-box@example.com")?.action).toBe("adopt");
    expect(line("dkim TXT pmg2026._domainkey.example.net")?.action).toBe("adopt");
    expect(line("spf TXT example.net")).toMatchObject({
      action: "change",
      changes: [expect.objectContaining({ live: "v=spf1 include:_spf.mx.cloudflare.net ~all" })],
    });
    expect(line("spf TXT example.org")?.action).toBe("create");
    expect(section.items.filter((i) => i.action === "refuse")).toEqual([]);
    expect(cf.calls.filter((c) => !c.startsWith("GET"))).toEqual([]);
  });
});
