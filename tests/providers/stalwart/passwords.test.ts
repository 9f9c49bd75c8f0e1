import * as bcrypt from "bcryptjs";
import {
  generatePassword,
  hashPassword,
  sha512Crypt,
  verifyPassword,
} from "../../../providers/stalwart/passwords";
import { strengthScore } from "../../servers/stalwart/jmap/validate";

// Vectors from Drepper's SHA-crypt specification and from `openssl passwd -6 -salt <salt> <password>`.
const VECTORS: [string, string][] = [
  [
    "Hello world!",
    "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
  ],
  [
    "Hello world!",
    "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
  ],
  ["x", "$6$Ab.9/xyZ$Sh09alhL7YV1EPt907guE/uAlbzZOqQb1ayNIUonrPwo.u/7VqrICHgK1ZlCaP2AWjB1xkN8vk9z1BFzYM8Xs1"],
  [
    "Velvet-Harbor-71-Quince",
    "$6$Ab.9/xyZ$TB0F6JMBZz.p546r0UDNVD4W0KA.6ARpOejxudDdXZiQbezqAwNKlwlLc48aNPHOVV0xv0QVg2CmFQd8ZhXu2/",
  ],
  [
    "a-very-long-password-that-is-longer-than-sixty-four-bytes-for-the-loop-check-0123456789",
    "$6$Ab.9/xyZ$ZO3nIcOIGP4WXwwasGHxZ46pKButH4/uaMSuN7GsjrC2r.ZzYddo8Zk5ktFcqBPS7e5Ki.Zm2zXeUjpamFpIu/",
  ],
  [
    "Hello",
    "$6$sixteencharsalt!$Uf60aqesvvWSX8RkwrhBn3wSOztRNkX5.EOqJgdFBtJtngGCAQ.T7jpzQtBIzGzwdiFDMxCOIv7d5bXUujQV51",
  ],
];

describe("sha512Crypt", () => {
  it.each(VECTORS)("hashes %j as the reference implementations do", (password, expected) => {
    const m = /^\$6\$(?:rounds=(\d+)\$)?([^$]*)\$/.exec(expected)!;
    expect(sha512Crypt(password, m[2], m[1] ? Number(m[1]) : undefined)).toBe(expected);
  });
});

describe("verifyPassword", () => {
  it("verifies $6$ hashes, with and without rounds, and rejects other passwords", () => {
    for (const [password, hash] of VECTORS) {
      expect(verifyPassword(password, hash)).toBe(true);
      expect(verifyPassword(`${password}!`, hash)).toBe(false);
    }
  });

  it("verifies bcrypt in its $2a$, $2b$ and $2y$ spellings", () => {
    const hash = bcrypt.hashSync("Orbit-Lantern-58-Thistle", 4);
    for (const prefix of ["$2a$", "$2b$", "$2y$"]) {
      expect(verifyPassword("Orbit-Lantern-58-Thistle", hash.replace(/^\$2.\$/, prefix))).toBe(true);
    }
    expect(verifyPassword("wrong", hash)).toBe(false);
  });

  it("compares plain text and {PLAIN} as the server does, and cannot tell for schemes it does not implement", () => {
    expect(verifyPassword("MyPassword123", "MyPassword123")).toBe(true);
    expect(verifyPassword("MyPassword123", "{PLAIN}MyPassword123")).toBe(true);
    expect(verifyPassword("other", "{CLEAR}MyPassword123")).toBe(false);
    expect(verifyPassword("x", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")).toBeUndefined();
  });
});

describe("hashPassword", () => {
  it("salts every hash afresh, so hashes are never compared, only verified", () => {
    const a = hashPassword("Velvet-Harbor-71-Quince");
    const b = hashPassword("Velvet-Harbor-71-Quince");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(verifyPassword("Velvet-Harbor-71-Quince", a) && verifyPassword("Velvet-Harbor-71-Quince", b)).toBe(
      true,
    );
  });
});

describe("generatePassword", () => {
  it("makes distinct passwords within 0.16's policy that no server reads as a hash or an app password", () => {
    const all = Array.from({ length: 200 }, generatePassword);
    expect(new Set(all).size).toBe(200);
    for (const p of all) {
      expect(p).toMatch(/^[A-Za-z0-9]{6}(-[A-Za-z0-9]{6}){3}$/);
      expect(p).not.toMatch(/^(app|[$_{])/i);
      expect(strengthScore(p)).toBeGreaterThanOrEqual(3);
    }
  });
});

describe("verifyPassword's memory of hashes it made or checked", () => {
  it("answers a known pair without recomputing, and never lets a wrong password through", () => {
    const hash = hashPassword("right horse battery");
    const started = process.hrtime.bigint();
    expect(verifyPassword("right horse battery", hash)).toBe(true);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(ms).toBeLessThan(5);
    expect(verifyPassword("wrong horse battery", hash)).toBe(false);
    expect(verifyPassword("right horse battery", hash.slice(0, -1) + (hash.endsWith("a") ? "b" : "a"))).toBe(
      false,
    );
  });
});

describe("passwordState with a hash verified before", () => {
  it("trusts only a byte-identical stored hash, and verifies anything else in full", async () => {
    const { passwordState } = await import("../../../providers/stalwart/lifecycle");
    const known = hashPassword("right horse battery");
    const rec = (storedPassword: string) => ({ storedPassword }) as Parameters<typeof passwordState>[0];
    expect(await passwordState(rec(known), "right horse battery", known)).toBe("match");
    const other = hashPassword("another password");
    expect(await passwordState(rec(other), "right horse battery", known)).toBe("mismatch");
    expect(
      await passwordState(rec("right horse battery"), "right horse battery", "right horse battery"),
    ).toBe("rehash");
  });
});
