// `npm run test-server -- cloudflare`: one JSON line with the API base, a test-only token, the
// account and two empty zones, then serves until killed.
import { CloudflareApiError, CloudflareClient } from "../../../providers/cloudflare/client";
import { startStandalone } from "../standalone";

describe("the standalone Cloudflare stand-in", () => {
  it("prints url, apiToken, fingerprint, accountId and zoneIds, and serves only that token", async () => {
    const server = await startStandalone(["cloudflare", "--spf-on-enable", "keep"]);
    try {
      const info = server.info as unknown as Record<string, unknown>;
      expect(Object.keys(info).sort()).toEqual(["accountId", "apiToken", "fingerprint", "url", "zoneIds"]);
      expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
      const zoneIds = info.zoneIds as string[];
      expect(zoneIds).toHaveLength(2);
      const api = new CloudflareClient({
        baseUrl: String(info.url),
        apiToken: String(info.apiToken),
        tlsFingerprint: String(info.fingerprint),
      });
      expect(await api.list(`/zones/${zoneIds[1]}/dns_records`)).toEqual([]);
      const other = new CloudflareClient({
        baseUrl: String(info.url),
        apiToken: "x",
        tlsFingerprint: String(info.fingerprint),
      });
      await expect(other.get("/zones")).rejects.toBeInstanceOf(CloudflareApiError);
      await Promise.all([api.close(), other.close()]);
    } finally {
      await server.stop();
    }
  });
});
