/**
 * The lab's test CA (openssl CLI, EC P-256): the certificate "Gmail" presents for smtp.gmail.com
 * and imap.gmail.com is issued by it, and the lab's PMG host trusts it as its system CA bundle,
 * so Postfix and fetchmail verify the name and chain as they do against the real Gmail. An
 * untrusted certificate (same names, self-signed) is what a man in the middle would show.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface LabCa {
  /** PEM of the CA certificate: what the lab's hosts trust. */
  readonly caFile: string;
  /** A key and a certificate (chain: leaf, CA) for these DNS names, issued by the CA. */
  issue(name: string, dnsNames: string[]): { keyFile: string; certFile: string };
  /** A self-signed key and certificate for these names: no lab host trusts it. */
  untrusted(name: string, dnsNames: string[]): { keyFile: string; certFile: string };
}

const ssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export function makeLabCa(dir: string): LabCa {
  fs.mkdirSync(dir, { recursive: true });
  const caKey = path.join(dir, "ca.key");
  const caFile = path.join(dir, "ca.pem");
  ssl([
    "req",
    "-x509",
    ...EC,
    "-keyout",
    caKey,
    "-out",
    caFile,
    "-days",
    "2",
    "-subj",
    "/CN=homelab-mail lab test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const san = (names: string[]) =>
    `subjectAltName=${names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",")}`;
  return {
    caFile,
    issue(name, dnsNames) {
      const keyFile = path.join(dir, `${name}.key`);
      const csr = path.join(dir, `${name}.csr`);
      const leaf = path.join(dir, `${name}.leaf.pem`);
      const certFile = path.join(dir, `${name}.pem`);
      ssl(["req", "-new", ...EC, "-keyout", keyFile, "-out", csr, "-subj", `/CN=${dnsNames[0]}`]);
      const ext = path.join(dir, `${name}.ext`);
      fs.writeFileSync(ext, `${san(dnsNames)}\nextendedKeyUsage=serverAuth\n`);
      ssl([
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        caFile,
        "-CAkey",
        caKey,
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        ext,
        "-out",
        leaf,
      ]);
      fs.writeFileSync(certFile, fs.readFileSync(leaf, "utf8") + fs.readFileSync(caFile, "utf8"));
      return { keyFile, certFile };
    },
    untrusted(name, dnsNames) {
      const keyFile = path.join(dir, `${name}.key`);
      const certFile = path.join(dir, `${name}.pem`);
      ssl([
        "req",
        "-x509",
        ...EC,
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "2",
        "-subj",
        `/CN=${dnsNames[0]}`,
        "-addext",
        san(dnsNames),
      ]);
      return { keyFile, certFile };
    },
  };
}
