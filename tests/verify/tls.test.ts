// How verify trusts an IMAP server's certificate: a CA file, or a pin checked before a single byte
// of the session is sent; a self-signed certificate is never accepted silently.
import * as tls from "node:tls";
import type { AddressInfo } from "node:net";
import { selfSignedCertificate } from "../servers/tls";
import { startTls, type TlsTrust } from "../../verify/tls";

describe("startTls", () => {
  const cert = selfSignedCertificate("pmg-test-server");
  let server: tls.Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = tls.createServer({ key: cert.keyPem, cert: cert.certPem }, (s) => {
      s.on("data", (d) => received.push(d.toString()));
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Connects with `trust` and, once trusted, sends a marker the server records. */
  function attempt(trust: TlsTrust, marker: string): Promise<string> {
    return new Promise((resolve) => {
      const s = startTls({ host: "127.0.0.1", port }, trust, () => {
        s.write(marker, () => (s.end(), resolve("secure")));
      });
      s.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
  }

  it("trusts the certificate through a CA file, and through its pinned fingerprint in any spelling", async () => {
    expect(await attempt({ kind: "ca", file: "cert.pem", pem: cert.certPem }, "ca")).toBe("secure");
    expect(
      await attempt({ kind: "pin", fingerprint: cert.fingerprint.replace(/:/g, "").toLowerCase() }, "pin"),
    ).toBe("secure");
  });

  it("refuses a self-signed certificate against the system CAs, and a wrong pin, before sending anything", async () => {
    expect(await attempt({ kind: "system" }, "leak-1")).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    const wrong = cert.fingerprint.replace(/^../, cert.fingerprint.startsWith("00") ? "11" : "00");
    expect(await attempt({ kind: "pin", fingerprint: wrong }, "leak-2")).toBe("E_TLS_PIN");
    await new Promise((r) => setTimeout(r, 50));
    expect(received.join("")).not.toMatch(/leak/);
  });
});
