/**
 * Account passwords. Stalwart ≤0.15 stores `secrets` exactly as sent and returns them on GET, so we
 * send SHA-512-crypt (`$6$`, what Stalwart's own webadmin and CLI send) and decide drift by verifying
 * the desired password against the stored string locally: a fresh salt makes every hash differ, so
 * hash strings are never compared. Verification follows the server's prefix rules (README §7).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import * as bcrypt from "bcryptjs";

const B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DEFAULT_ROUNDS = 5000;

/** The byte order in which SHA-512-crypt encodes its final digest (Drepper's specification). */
const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

const sha512 = (...parts: Buffer[]) => {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `len` bytes made of `digest` repeated (the P and S sequences). */
function repeatTo(digest: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += 64) digest.copy(out, i, 0, Math.min(64, len - i));
  return out;
}

function b64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let s = "";
  for (let i = 0; i < n; i++, w >>= 6) s += B64[w & 0x3f];
  return s;
}

/** SHA-512-crypt of `password` with `salt` (at most 16 characters are used). */
export function sha512Crypt(password: string, salt: string, rounds?: number): string {
  const p = Buffer.from(password, "utf8");
  const s = Buffer.from(salt, "utf8").subarray(0, 16);
  const r = rounds === undefined ? DEFAULT_ROUNDS : Math.min(999_999_999, Math.max(1000, rounds));
  const b = sha512(p, s, p);
  const a = createHash("sha512").update(p).update(s);
  let i: number;
  for (i = p.length; i > 64; i -= 64) a.update(b);
  a.update(b.subarray(0, i));
  for (i = p.length; i > 0; i >>= 1) a.update(i & 1 ? b : p);
  let c = a.digest();
  const pSeq = repeatTo(sha512(...Array<Buffer>(p.length).fill(p)), p.length);
  const sSeq = repeatTo(sha512(...Array<Buffer>(16 + c[0]).fill(s)), s.length);
  for (let round = 0; round < r; round++) {
    const h = createHash("sha512");
    h.update(round & 1 ? pSeq : c);
    if (round % 3) h.update(sSeq);
    if (round % 7) h.update(pSeq);
    h.update(round & 1 ? c : pSeq);
    c = h.digest();
  }
  const encoded = ORDER.map(([x, y, z]) => b64(c[x], c[y], c[z], 4)).join("") + b64(0, 0, c[63], 2);
  return `$6$${rounds === undefined ? "" : `rounds=${r}$`}${s.toString("utf8")}$${encoded}`;
}

/**
 * Stored hash -> SHA-256 of a password known to verify against it, for this process. sha512-crypt in
 * JavaScript costs about 15-20 ms of the provider host's one thread; without this, a deployment of
 * 1000 accounts spent most of its time re-verifying hashes it had just written (measured by
 * `npm run bench`). A fresh salt makes every stored hash unique, so a hit is exact.
 */
const verified = new Map<string, string>();
const MAX_VERIFIED = 20_000;

export function remember(stored: string, password: string): void {
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(stored, createHash("sha256").update(password, "utf8").digest("base64"));
}

/**
 * `{SSHA512}` with a random 16-byte salt: one SHA-512, which Node computes natively in microseconds.
 * Only for passwords this process generated (about 138 random bits, see generatePassword): key
 * stretching adds a few bits against guessing, and a 138-bit secret cannot be guessed anyway. Stalwart
 * verifies it at login since 0.10 (secret.rs above; docs/assumptions.md, "Stalwart: {SSHA512}").
 */
export function ssha512(password: string): string {
  const salt = randomBytes(16);
  const digest = createHash("sha512").update(password, "utf8").update(salt).digest();
  const hash = `{SSHA512}${Buffer.concat([digest, salt]).toString("base64")}`;
  remember(hash, password);
  return hash;
}

/** Passwords generatePassword made in this process (so known to be random), kept as SHA-256. */
const generated = new Set<string>();

/** Whether generatePassword made this password in this process. */
export function isGeneratedHere(password: string): boolean {
  return generated.has(createHash("sha256").update(password, "utf8").digest("base64"));
}

/** A new `$6$` hash with a random 16-character salt. */
export function hashPassword(password: string): string {
  const salt = Array.from(randomBytes(16), (x) => B64[x & 0x3f]).join("");
  const hash = sha512Crypt(password, salt);
  remember(hash, password);
  return hash;
}

/**
 * Whether `password` verifies against a stored secret: true, false, or undefined when the scheme
 * is one we cannot check here (argon2, scrypt, ...); the caller then treats it as a mismatch and
 * re-sets the password once, in a scheme it can verify from then on.
 */
export function verifyPassword(password: string, stored: string): boolean | undefined {
  const quick = verifyQuickly(password, stored);
  if (quick !== "slow") return quick;
  const m6 = /^\$6\$(?:rounds=(\d+)\$)?([^$]{0,16})\$[./0-9A-Za-z]{86}$/.exec(stored);
  if (m6) {
    const ok = safeEqual(
      sha512Crypt(password, m6[2], m6[1] === undefined ? undefined : Number(m6[1])),
      stored,
    );
    if (ok) remember(stored, password);
    return ok;
  }
  if (/^\$2[abxy]?\$\d\d\$[./0-9A-Za-z]{53}$/.test(stored)) {
    return bcrypt.compareSync(password, stored.replace(/^\$2[xy]\$/, "$2a$"));
  }
  return undefined;
}

/** Whether a scheme costs real CPU to verify (sha512-crypt, bcrypt): those go to a worker (hashing.ts). */
export const isSlowScheme = (stored: string) => /^\$(6|2[abxy]?)\$/.test(stored);

/**
 * The answer when it costs no real CPU (a hash made or verified before, `{SSHA512}`, plain text), or
 * "slow" for sha512-crypt and bcrypt, which verifyPassword (or a worker thread) computes in full.
 */
export function verifyQuickly(password: string, stored: string): boolean | undefined | "slow" {
  const known = verified.get(stored);
  if (
    known !== undefined &&
    safeEqual(known, createHash("sha256").update(password, "utf8").digest("base64"))
  ) {
    return true;
  }
  if (isSlowScheme(stored)) return "slow";
  // {SSHA512}: base64(SHA-512(password || salt) || salt), the scheme name case-insensitive
  // (stalwart crates/directory/src/core/secret.rs, verify_secret_hash, "SSHA512").
  const ssha = /^\{SSHA512\}([A-Za-z0-9+/]+={0,2})$/i.exec(stored);
  if (ssha) {
    const raw = Buffer.from(ssha[1], "base64");
    if (raw.length <= 64) return false;
    const digest = createHash("sha512").update(password, "utf8").update(raw.subarray(64)).digest();
    return timingSafeEqual(digest, raw.subarray(0, 64));
  }
  const plain = /^\{(?:PLAIN|CLEAR)\}(.*)$/s.exec(stored);
  if (plain) return safeEqual(password, plain[1]);
  // The server reads anything starting with $, _ or { as a hash; everything else is plain text.
  if (/^[$_{]/.test(stored)) return undefined;
  return safeEqual(password, stored);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/**
 * A new account password: four groups of six random characters (about 138 bits), far above
 * 0.16's zxcvbn "three" and 8-128 byte policy. It never starts with `app` (0.16 reads such a
 * secret as an app password) nor with `$`, `_` or `{` (≤0.15 would read it as a hash).
 */
export function generatePassword(): string {
  const group = () => Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  for (;;) {
    const p = [group(), group(), group(), group()].join("-");
    if (/^app/i.test(p)) continue;
    if (generated.size >= MAX_VERIFIED) generated.clear();
    generated.add(createHash("sha256").update(p, "utf8").digest("base64"));
    return p;
  }
}
