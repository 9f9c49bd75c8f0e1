// Value rules of Stalwart 0.16's registry for the Domain and Account fields the stand-in serves
// (utils/src/lib.rs sanitize_domain / sanitize_email_local, common/src/network/security.rs).
import { domainToASCII } from "node:url";

/**
 * TLDs accepted without a public-suffix lookup. The real server checks the full public suffix list
 * plus the reserved names; this is a subset that covers tests and the usual homelab domains.
 */
const TLDS = new Set([
  "com",
  "net",
  "org",
  "edu",
  "gov",
  "int",
  "io",
  "dev",
  "app",
  "info",
  "biz",
  "name",
  "pro",
  "email",
  "cloud",
  "tech",
  "online",
  "site",
  "xyz",
  "eu",
  "de",
  "uk",
  "fr",
  "nl",
  "ch",
  "at",
  "be",
  "us",
  "ca",
  "au",
  "es",
  "it",
  "se",
  "no",
  "dk",
  "fi",
  "pl",
  "cz",
  "jp",
  "nz",
  "ie",
  "pt",
  "lu",
  "li",
  "me",
  "co",
  "cc",
  "tv",
]);
const RESERVED = new Set([
  "test",
  "localhost",
  "local",
  "internal",
  "lan",
  "home",
  "corp",
  "intranet",
  "private",
  "localdomain",
]);

/** The stored form of a domain name, or undefined when the server refuses it ("Invalid domain name"). */
export function sanitizeDomain(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ascii = domainToASCII(value.replace(/\s+/g, "").toLowerCase());
  if (!ascii || !ascii.includes(".")) return undefined;
  const labels = ascii.split(".");
  if (labels.some((l) => !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return undefined;
  const tld = labels[labels.length - 1];
  return TLDS.has(tld) || RESERVED.has(tld) ? ascii : undefined;
}

/** The stored form of an address local part, or undefined ("Invalid email local part"). */
export function sanitizeLocal(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const s = value.replace(/\s+/g, "").toLowerCase();
  if (s === "" || !/^[a-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(s) || /^\.|\.$|\.\./.test(s)) return undefined;
  return s;
}

/** A secret the server stores verbatim since 0.16.6: it parses as a known hash. */
export function isPrehashed(secret: string): boolean {
  return (
    /^\$(argon2(id|i|d)|pbkdf2[^$]*|scrypt|2[abxy]?|1|5|6|sha1)\$/.test(secret) ||
    /^\{(SHA|SSHA|SHA256|SSHA256|SHA512|SSHA512|MD5|CRYPT|PLAIN|CLEAR)\}/.test(secret)
  );
}

const COMMON = [
  "password",
  "passw0rd",
  "qwerty",
  "letmein",
  "welcome",
  "admin",
  "login",
  "iloveyou",
  "monkey",
  "dragon",
  "master",
  "secret",
  "changeme",
  "stalwart",
  "football",
  "baseball",
  "sunshine",
  "princess",
  "trustno1",
  "abc123",
  "123456",
];

/**
 * An approximation of zxcvbn's score (0-4) good enough for tests: common words, runs of one
 * character and ascending or descending sequences each count as one guess step, every other
 * character as one (zxcvbn's brute-force cardinality is 10 per character). Score 3 needs 8 steps.
 */
export function strengthScore(password: string): number {
  let s = password.toLowerCase();
  for (const w of COMMON) s = s.split(w).join("\u0001");
  s = s.replace(/(.)\1{2,}/g, "$1");
  let steps = 0;
  for (let i = 0; i < s.length;) {
    let j = i + 1;
    const d = s.charCodeAt(i + 1) - s.charCodeAt(i);
    if (Math.abs(d) === 1 && /[a-z0-9]/.test(s[i]))
      while (j < s.length && s.charCodeAt(j) - s.charCodeAt(j - 1) === d) j++;
    steps++;
    i = j - i >= 3 ? j : i + 1;
  }
  return steps < 3 ? 0 : steps < 6 ? 1 : steps < 8 ? 2 : steps < 10 ? 3 : 4;
}

/** The password policy's complaint (x:Authentication defaults: 8-128 bytes, strength "three"), if any. */
export function passwordProblem(secret: string): string | undefined {
  const bytes = Buffer.byteLength(secret);
  if (bytes < 8) return "Password must be at least 8 characters long.";
  if (bytes > 128) return "Password must be at most 128 characters long.";
  if (strengthScore(secret) < 3)
    return "Password is too weak. Add another word or two. Uncommon words are better.";
  return undefined;
}
