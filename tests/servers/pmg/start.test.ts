// The standalone starter (tests/servers/start.ts): one JSON line, then serves until killed.
import * as tls from "node:tls";
import { Agent, fetch } from "undici";
import { startStandalone } from "../standalone";

test("npm run test-server -- pmg --version 8 prints its endpoint and credentials", async () => {
  const server = await startStandalone(["pmg", "--version", "8"]);
  try {
    const info = server.info;
    expect(Object.keys(info).sort()).toEqual(["fingerprint", "password", "url", "username"]);
    expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api2\/json$/);
    expect(info.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    // pin the certificate by its fingerprint, as a client without the PEM would
    const agent = new Agent({
      connect: {
        rejectUnauthorized: false,
        checkServerIdentity: (_host: string, cert: tls.PeerCertificate) =>
          cert.fingerprint256 === info.fingerprint ? undefined : new Error("fingerprint mismatch"),
      },
    });
    const res = await fetch(`${info.url}/access/ticket`, {
      method: "POST",
      body: new URLSearchParams({ username: info.username, password: info.password }),
      dispatcher: agent,
    });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { ticket: string } };
    const v = await fetch(`${info.url}/version`, {
      headers: { Cookie: `PMGAuthCookie=${encodeURIComponent(data.ticket)}` },
      dispatcher: agent,
    });
    expect(((await v.json()) as { data: { release: string } }).data.release).toBe("8.3");
    await agent.close();
  } finally {
    await server.stop();
  }
});
