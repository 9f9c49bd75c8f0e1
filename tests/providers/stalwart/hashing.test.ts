import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { hashForServer, verifyOffThread } from "../../../providers/stalwart/hashing";
import {
  generatePassword,
  hashPassword,
  ssha512,
  verifyPassword,
} from "../../../providers/stalwart/passwords";

/** Milliseconds this thread's event loop was busy while `work` ran (the rest it was free for I/O). */
async function busyMs<T>(work: () => Promise<T>): Promise<{ value: T; busy: number }> {
  const start = performance.eventLoopUtilization();
  const value = await work();
  return { value, busy: performance.eventLoopUtilization(start).active };
}

/** What one sha512-crypt costs this thread when computed here (the cost a worker takes away). */
function inThreadMs(): number {
  const t = performance.now();
  hashPassword("measure the cost here");
  return performance.now() - t;
}

describe("hashing off the event loop", () => {
  it("sends a generated password as {SSHA512}, which verifies, and a changed one does not", async () => {
    const password = generatePassword();
    const hash = await hashForServer(password);
    expect(hash).toMatch(/^\{SSHA512\}[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(hash.slice(9), "base64")).toHaveLength(64 + 16);
    // A fresh process knows nothing of it: verified from the bytes alone.
    expect(verifyPassword(password, ssha512(password))).toBe(true);
    expect(await verifyOffThread(password, hash)).toBe(true);
    expect(await verifyOffThread(`${password}x`, hash)).toBe(false);
    // Drift: the server's hash replaced by one of another password.
    expect(await verifyOffThread(password, ssha512(generatePassword()))).toBe(false);
    expect(await verifyOffThread(password, hash.replace(/^\{SSHA512\}/, "{ssha512}"))).toBe(true);
  });

  it("hashes a password it did not generate as sha512-crypt in a worker, without stalling the loop", async () => {
    await hashForServer("warm the workers up");
    const chosen = Array.from({ length: 8 }, (_, i) => `Orbit-Lantern-58-Thistle-${i}`);
    const { value, busy } = await busyMs(() => Promise.all(chosen.map((p) => hashForServer(p))));
    value.forEach((h) => expect(h).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/));
    // Eight hashes in this thread would keep it busy 8x one hash; off-thread it is only messaging.
    expect(busy).toBeLessThan(2 * inThreadMs());
    // Another process (the stand-in) verifies them in full.
    const fresh = execFileSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-e",
        `const p = require("./providers/stalwart/passwords");
         process.stdout.write(JSON.stringify(${JSON.stringify(value)}.map((h, i) => [
           p.verifyPassword(${JSON.stringify(chosen)}[i], h), p.verifyPassword("wrong", h)])));`,
      ],
      { cwd: `${__dirname}/../../..`, encoding: "utf8" },
    );
    expect(JSON.parse(fresh)).toEqual(chosen.map(() => [true, false]));
  });

  it("verifies sha512-crypt in a worker: right, wrong, and drifted", async () => {
    const stored = hashPassword("another chosen one");
    const other = hashPassword("something else");
    // Warm workers, as the second call of a deployment finds them: a worker's start is not the claim.
    await verifyOffThread("warm the workers up", other);
    const { value, busy } = await busyMs(() =>
      Promise.all([
        verifyOffThread("not it", stored),
        verifyOffThread("another chosen one", other),
        verifyOffThread(
          "another chosen one",
          stored.replace(/.$/, (c) => (c === "a" ? "b" : "a")),
        ),
      ]),
    );
    expect(value).toEqual([false, false, false]);
    // The same three verifications in this thread, measured now (under the same load), cost more.
    const t = performance.now();
    [verifyPassword("not it", stored), verifyPassword("another chosen one", other)].forEach((v) =>
      expect(v).toBe(false),
    );
    verifyPassword("another chosen one", stored);
    expect(busy).toBeLessThan((performance.now() - t) / 2);
    expect(await verifyOffThread("another chosen one", stored)).toBe(true);
  });

  // Dovecot reads {SSHA512} exactly as Stalwart's secret.rs does: an independent verifier.
  const doveadm = ["/usr/bin/doveadm", "/usr/sbin/doveadm"].find((p) => existsSync(p));
  (doveadm ? it : it.skip)(
    "makes {SSHA512} that dovecot's doveadm verifies, and rejects a wrong password",
    () => {
      const password = generatePassword();
      const hash = ssha512(password);
      expect(execFileSync(doveadm!, ["pw", "-t", hash, "-p", password], { encoding: "utf8" })).toMatch(
        /\(verified\)/,
      );
      expect(() =>
        execFileSync(doveadm!, ["pw", "-t", hash, "-p", `${password}!`], { stdio: "pipe" }),
      ).toThrow();
    },
  );
});
