// The console's self-signed certificate: made once per process with the openssl CLI (EC P-256,
// fast), for 127.0.0.1 and localhost. The fingerprint is printed as `openssl x509 -fingerprint
// -sha256` does, which is what homelab-mail:unifi.tlsFingerprint takes.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";

export interface ConsoleCertificate {
  keyPem: string;
  certPem: string;
  fingerprint: string;
}

let cached: ConsoleCertificate | undefined;

export function consoleCertificate(): ConsoleCertificate {
  if (cached) return cached;
  const out = execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "-",
      "-out",
      "-",
      "-days",
      "3650",
      "-subj",
      "/CN=unifi.local",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out)?.[0];
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(out)?.[0];
  if (!keyPem || !certPem) throw new Error(`openssl did not produce a key and a certificate:\n${out}`);
  cached = { keyPem, certPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
  return cached;
}
