/**
 * Idle keep-alive below pve-http-server's 5 s (providers/http.ts KEEP_ALIVE_IDLE_MS): a socket idle
 * longer than our limit is never reused, so no request is written to one the server is closing.
 */
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { fetch } from "undici";
import { createDispatcher, KEEP_ALIVE_IDLE_MS } from "../../providers/http";
import { selfSignedCertificate } from "../servers/tls";

const PVE_IDLE_TIMEOUT_MS = 5_000;

it("stays under the server's idle timeout, and reuses a socket within it", async () => {
  expect(KEEP_ALIVE_IDLE_MS).toBeLessThan(PVE_IDLE_TIMEOUT_MS);
  const cert = selfSignedCertificate("keepalive-test");
  let connections = 0;
  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => {
    // As pve-http-server answers: Keep-Alive without a timeout= hint.
    res.writeHead(200, { Connection: "Keep-Alive", "Content-Type": "application/json" });
    res.end('{"data":null}');
  });
  server.keepAliveTimeout = PVE_IDLE_TIMEOUT_MS;
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const dispatcher = createDispatcher({ tlsFingerprint: cert.fingerprint });
  try {
    const get = async () => (await fetch(url, { dispatcher })).text();
    await get();
    await new Promise((r) => setTimeout(r, 200));
    await get();
    expect(connections).toBe(1);
    // Idle past our limit but still inside the server's: we opened a new connection instead.
    await new Promise((r) => setTimeout(r, KEEP_ALIVE_IDLE_MS + 300));
    await get();
    expect(connections).toBe(2);
  } finally {
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}, 20_000);
