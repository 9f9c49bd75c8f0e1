/**
 * The lab's stack: the tests' own stack (tests/fixtures/stack/Pulumi.test.yaml, the mission's chain) with only what
 * points at the lab changed: PMG's and Stalwart's API endpoints are the stand-ins on this
 * machine's loopback, PMG's SSH is the lab host's sshd (through the lab's bridge), and the
 * transport goes to the lab's Stalwart address. Test-only secrets are generated per lab.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { LAB } from "./addresses";

const ROOT = path.resolve(__dirname, "..", "..");

export const SERVICE_BOX = "lab-service-box@example.com";
export const PERSONAL_BOX = "lab-personal-box@example.com";

/** Where fetchmail puts a message that names none of the declared addresses (`fetchmail.fallbackRecipient`). */
export const FALLBACK_ACCOUNT = {
  name: "postmaster",
  emails: ["postmaster@example.net"],
  description: "fetchmail's fallback: mail naming no declared address",
};

export function exampleStack(): Record<string, unknown> {
  const doc = parse(
    fs.readFileSync(path.join(ROOT, "tests", "fixtures", "stack", "Pulumi.test.yaml"), "utf8"),
  ) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.replace(/^homelab-mail:/, ""), v]));
}

export interface LabTargets {
  readonly pmg: { port: number; fingerprint: string };
  readonly stalwart: { url: string; fingerprint: string };
  readonly ssh: { port: number; user: string; hostKey: string };
}

export function labStack(t: LabTargets): Record<string, unknown> {
  const stack = exampleStack();
  const pmg = stack.pmg as Record<string, unknown>;
  const stalwart = stack.stalwart as Record<string, unknown>;
  return {
    ...stack,
    pmg: {
      ...pmg,
      endpoint: `https://127.0.0.1:${t.pmg.port}`,
      tlsFingerprint: t.pmg.fingerprint,
      transport: { host: LAB.stalwart, port: 25 },
      ssh: { host: "127.0.0.1", port: t.ssh.port, user: t.ssh.user, hostKey: t.ssh.hostKey },
    },
    // The declared fallback for mail that names no declared address is a real mailbox in the lab.
    stalwart: {
      ...stalwart,
      endpoint: t.stalwart.url,
      tlsFingerprint: t.stalwart.fingerprint,
      accounts: [...(stalwart.accounts as object[]), FALLBACK_ACCOUNT],
    },
    fetchmail: {
      ...(stack.fetchmail as object),
      server: "imap.gmail.com",
      port: 993,
      user: SERVICE_BOX,
      fallbackRecipient: FALLBACK_ACCOUNT.emails[0],
    },
  };
}

/** A test-only app password (never a real one): letters only, as Google shows them. */
export function testAppPassword(): string {
  return `labtest${randomBytes(6).toString("hex")}`;
}
