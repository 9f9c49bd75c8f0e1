/**
 * How the IMAP check trusts the server's certificate: the system's CAs, a CA file, or a pinned
 * SHA-256 fingerprint (for a self-signed Stalwart). There is deliberately no "insecure" choice:
 * the IMAP login carries an account's password.
 *
 * imapflow's own TLS options cannot pin (Node skips checkServerIdentity once the chain fails), so
 * TLS goes through imapflow's `transport` hook, which checks the pin after the handshake and before
 * imapflow sends a single byte (the LOGIN) over the new connection.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import type { ImapTransport } from "imapflow";
import { HomelabMailError } from "../lib/errors";
import { normalizeFingerprint } from "../providers/http";

export type TlsTrust =
  | { readonly kind: "system" }
  | { readonly kind: "ca"; readonly file: string; readonly pem: string }
  | { readonly kind: "pin"; readonly fingerprint: string };

export function describeTrust(t: TlsTrust): string {
  if (t.kind === "ca") return `CA file ${t.file}`;
  if (t.kind === "pin") return `pinned ${normalizeFingerprint(t.fingerprint).slice(0, 11)}...`;
  return "system CAs";
}

export class TlsPinMismatch extends HomelabMailError {
  constructor(host: string, expected: string, got: string) {
    super("E_TLS_PIN", `the certificate of ${host} has fingerprint ${got}, not the pinned ${expected}`);
  }
}

/** Starts TLS on `socket` (STARTTLS) or a new connection, calling `onSecure` only once the trust holds. */
export function startTls(
  target: { host: string; port: number; socket?: net.Socket; servername?: string },
  trust: TlsTrust,
  onSecure: () => void,
): tls.TLSSocket {
  const opts: tls.ConnectionOptions = { host: target.host, port: target.port, socket: target.socket };
  // SNI takes a name, never an IP literal; the certificate is then checked against the IP itself.
  // With `servername` (a name resolved through verify's --dns), the certificate must carry that name.
  if (target.servername !== undefined) opts.servername = target.servername;
  else if (net.isIP(target.host) === 0) opts.servername = target.host;
  if (trust.kind === "ca") opts.ca = trust.pem;
  // With a pin the leaf must match exactly, which replaces chain and name checks (as providers/http.ts does).
  if (trust.kind === "pin") opts.rejectUnauthorized = false;
  const socket = tls.connect(opts, () => {
    if (trust.kind === "pin") {
      const expected = normalizeFingerprint(trust.fingerprint);
      const got = socket.getPeerCertificate()?.fingerprint256;
      if (!got || normalizeFingerprint(got) !== expected) {
        socket.destroy(new TlsPinMismatch(target.host, expected, got ? normalizeFingerprint(got) : "none"));
        return;
      }
    }
    onSecure();
  });
  return socket;
}

/** An imapflow `transport`: plain TCP for port 143 (then STARTTLS through `upgrade`), TLS for 993. */
export function imapTransport(trust: TlsTrust, servername?: string): ImapTransport {
  return {
    connect(o, onConnect) {
      if (o.secure) return startTls({ host: o.host, port: o.port, servername }, trust, onConnect);
      return net.connect({ host: o.host, port: o.port }, onConnect);
    },
    upgrade(socket, o, onSecure) {
      return startTls(
        { host: o.host, port: o.port, socket: socket as net.Socket, servername },
        trust,
        onSecure,
      );
    },
  };
}
