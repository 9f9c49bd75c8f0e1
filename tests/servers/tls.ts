// Self-signed certificates for the stand-in servers (appliances ship with one): made once per
// common name and process with the openssl CLI (EC P-256: fast), for 127.0.0.1, ::1 and localhost.
// The fingerprint is printed as `openssl x509 -fingerprint -sha256` does, the form the stack's
// tlsFingerprint keys take.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";

export interface ServerCertificate {
  keyPem: string;
  certPem: string;
  /** SHA-256 fingerprint, colon-separated uppercase hex. */
  fingerprint: string;
}

const cached: Record<string, ServerCertificate> = {};

export function selfSignedCertificate(commonName: string): ServerCertificate {
  if (cached[commonName]) return cached[commonName];
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
      `/CN=${commonName}`,
      "-addext",
      "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out)?.[0];
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(out)?.[0];
  if (!keyPem || !certPem) throw new Error(`openssl did not produce a key and a certificate:\n${out}`);
  cached[commonName] = { keyPem, certPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
  return cached[commonName];
}
