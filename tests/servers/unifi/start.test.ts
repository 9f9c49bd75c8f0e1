// `npm run test-server -- unifi`: one JSON line with the endpoint and test-only credentials, then serves until killed.
import { fetch } from "undici";
import { createDispatcher } from "../../../providers/http";
import { startStandalone } from "../standalone";

describe("the standalone UniFi stand-in", () => {
  it("prints its endpoint, credentials and version, and serves with them", async () => {
    const server = await startStandalone(["unifi", "--version", "9.4.19", "--v2-put", "false"]);
    try {
      const info = server.info;
      expect(Object.keys(info).sort()).toEqual([
        "apiKey",
        "fingerprint",
        "password",
        "url",
        "username",
        "version",
      ]);
      expect(info).toMatchObject({
        url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
        version: "9.4.19",
      });

      const dispatcher = createDispatcher({ tlsFingerprint: info.fingerprint });
      const res = await fetch(`${info.url}/proxy/network/integration/v1/info`, {
        headers: { "X-API-Key": info.apiKey },
        dispatcher,
      });
      expect(await res.json()).toEqual({ applicationVersion: "9.4.19" });
      await dispatcher.close();
    } finally {
      await server.stop();
    }
  });
});
