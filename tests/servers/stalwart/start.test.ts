// `npm run test-server -- stalwart --api jmap`: one JSON line, then serves until killed.
import { startStandalone } from "../standalone";

test("npm run test-server -- stalwart --api jmap prints its endpoint and credentials, then serves", async () => {
  const server = await startStandalone(["stalwart", "--api", "jmap"]);
  try {
    const info = server.info;
    expect(info).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      username: "admin",
      fingerprint: "",
      api: "jmap",
      version: "0.16.18",
    });
    const authorization = `Basic ${Buffer.from(`${info.username}:${info.password}`).toString("base64")}`;
    const session = (await (
      await fetch(`${info.url}/jmap/session`, { headers: { authorization } })
    ).json()) as any;
    expect(session.primaryAccounts["urn:stalwart:jmap"]).toBe("d333333");
    const keyed = await fetch(`${info.url}/jmap/session`, {
      headers: { authorization: `Bearer ${info.apiKey}` },
    });
    expect(keyed.status).toBe(200);
  } finally {
    await server.stop();
  }
});
