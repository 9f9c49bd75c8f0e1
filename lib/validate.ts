/**
 * Pure validators shared by the stack-config validation and every provider's `check`.
 * Each returns undefined when the value is fine, or a short reason ("is not a valid CIDR ...").
 * The rules are the real servers' own where they have one (PMG's formats: CIDR prefix 8..128,
 * `dns-name`, `transport-address`), so nothing reaches a server that it would reject.
 */
import { isIP } from "node:net";

export type Problem = string | undefined;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A DNS name such as `example.net` (no trailing dot, no wildcard), at most 253 characters. */
export function dnsName(value: unknown): Problem {
  if (typeof value !== "string" || value === "") return "must be a DNS name such as example.net";
  if (value.length > 253) return `is ${value.length} characters long; a DNS name has at most 253`;
  if (/[^\x21-\x7e]/.test(value))
    return "contains a space, a control or a non-ASCII character; use the punycode (xn--) form";
  const labels = value.split(".");
  if (labels.some((l) => !LABEL.test(l))) {
    return `"${value}" is not a valid DNS name: each dot-separated label is 1-63 letters, digits or inner hyphens`;
  }
  return undefined;
}

/** A mail domain: a DNS name with at least two labels and a non-numeric top label. */
export function mailDomain(value: unknown): Problem {
  const p = dnsName(value);
  if (p) return p;
  const labels = (value as string).split(".");
  if (labels.length < 2) return `"${value}" has no top-level domain; use a full domain such as example.net`;
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return `"${value}" looks like an IP address, not a domain`;
  return undefined;
}

/** A hostname or an IP address literal (no brackets, no port). */
export function host(value: unknown): Problem {
  if (typeof value === "string" && isIP(value) !== 0) return undefined;
  const p = dnsName(value);
  return p ? `must be a hostname or an IP address (${p})` : undefined;
}

/** A TCP port, 1 to 65535. */
export function port(value: unknown): Problem {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    return `must be a whole number from 1 to 65535, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** An e-mail address local@domain with a plain ASCII local part. */
export function email(value: unknown): Problem {
  if (typeof value !== "string") return "must be an e-mail address such as noreply@example.net";
  const at = value.lastIndexOf("@");
  if (at <= 0 || at !== value.indexOf("@")) return `"${value}" is not an e-mail address (one @ expected)`;
  const local = value.slice(0, at);
  if (local.length > 64 || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local) || /^\.|\.\.|\.$/.test(local)) {
    return `"${value}" has an invalid local part; use letters, digits and . _ + -`;
  }
  const p = mailDomain(value.slice(at + 1));
  return p ? `"${value}" has an invalid domain: ${p}` : undefined;
}

/** An IPv4 or IPv6 network in CIDR notation, host bits clear, prefix within PMG's 8..32 / 8..128. */
export function cidr(value: unknown): Problem {
  if (typeof value !== "string") return "must be a network such as 192.0.2.0/24";
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  const family = m ? isIP(m[1]) : 0;
  if (!m || family === 0) return `"${value}" is not a CIDR network such as 192.0.2.0/24`;
  const bits = Number(m[2]);
  const max = family === 4 ? 32 : 128;
  if (bits < 8 || bits > max) return `"${value}" has prefix /${bits}; PMG accepts /8 to /${max}`;
  const normal = normalizeCidr(value);
  if (normal !== value) return `"${value}" is not in canonical form; write it as ${normal}`;
  return undefined;
}

/** Canonical form of a CIDR: host bits masked, IPv6 compressed and lowercased. */
export function normalizeCidr(value: string): string {
  const [addr, bitsText] = value.split("/");
  const bits = Number(bitsText);
  if (isIP(addr) === 4) {
    const n = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const masked = bits === 0 ? 0 : Number((BigInt(n) >> BigInt(32 - bits)) << BigInt(32 - bits));
    return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join(".")}/${bits}`;
  }
  const groups = expandIpv6(addr);
  let n = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  n = (n >> BigInt(128 - bits)) << BigInt(128 - bits);
  const out = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  return `${compressIpv6(out)}/${bits}`;
}

function expandIpv6(addr: string): number[] {
  const [head, tail] = addr.toLowerCase().split("::");
  const part = (s: string | undefined) => (s ? s.split(":").flatMap(ipv6Group) : []);
  const h = part(head);
  const t = tail === undefined ? [] : part(tail);
  return [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
}

function ipv6Group(g: string): number[] {
  if (g.includes(".")) {
    const o = g.split(".").map(Number);
    return [o[0] * 256 + o[1], o[2] * 256 + o[3]];
  }
  return [parseInt(g, 16)];
}

function compressIpv6(groups: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** A DKIM selector: one or more DNS labels (PMG format `dns-name`). */
export function dkimSelector(value: unknown): Problem {
  const p = dnsName(value);
  return p ? `must be a selector such as pmg2026 (${p})` : undefined;
}

/** RSA key size for DKIM: PMG requires at least 1024; DNS and signers cap practical keys at 4096. */
export function dkimKeySize(value: unknown): Problem {
  if (value !== 1024 && value !== 2048 && value !== 3072 && value !== 4096) {
    return `must be 1024, 2048, 3072 or 4096 bits (2048 recommended), got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** A SHA-256 certificate fingerprint: 32 hex bytes, colon-separated (as `openssl x509 -fingerprint -sha256` prints). */
export function sha256Fingerprint(value: unknown): Problem {
  if (typeof value !== "string" || !/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(value)) {
    return "must be a SHA-256 fingerprint: 32 hex byte pairs separated by colons (openssl x509 -noout -fingerprint -sha256)";
  }
  return undefined;
}

/** An SSH host public key as `<type> <base64>` (ssh-keyscan's output without the host name). */
export function sshHostKey(value: unknown): Problem {
  if (
    typeof value !== "string" ||
    !/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}$/.test(value.trim())
  ) {
    return "must be the host's public key as `<type> <base64>` (ssh-keyscan -t ed25519 <host>, without the host name)";
  }
  return undefined;
}

/** An https:// or http:// URL with a host and no credentials in it. */
export function endpoint(value: unknown, schemes: string[] = ["https:"]): Problem {
  if (typeof value !== "string") return "must be a URL such as https://pmg.lab.example.net:8006";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL; use a form such as https://pmg.lab.example.net:8006`;
  }
  if (!schemes.includes(url.protocol)) return `must use ${schemes.join(" or ")} (got ${url.protocol})`;
  if (url.username || url.password)
    return "must not contain a user or password; credentials belong in secret config";
  const h = url.hostname.replace(/^\[|\]$/g, "");
  return host(h) ? `has an invalid host: ${host(h)}` : undefined;
}

/** A comment PMG stores on one line of a flat file: no control characters, at most 256 characters. */
export function comment(value: unknown): Problem {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return "must be a string";
  if (/[\x00-\x1f\x7f]/.test(value))
    return "must be one line without control characters (PMG writes it into a flat file)";
  if (value.length > 256) return `is ${value.length} characters long; keep it under 256`;
  return undefined;
}

/** Unknown values during preview (the engine's sentinel) pass every validator untouched. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}
