/**
 * The lab's scenarios, asserted on mailboxes: which message lands in which Stalwart account, how
 * many times. Inbound messages reach "Gmail" the way Cloudflare Email Routing and Gmail leave them
 * (internet.ts), one copy per routed envelope recipient, through the routing rules the deployment
 * declared. Gmail keeps one copy per Message-ID and box (an assumption, docs/assumptions.md
 * "Gmail: one copy per Message-ID"), so a message to two routed addresses arrives once.
 */
import { randomBytes } from "node:crypto";
import { asForwardedToGmail, type ForwardShape } from "./internet";
import type { Lab } from "./lab";
import { deliverToMaildir, readMaildir, type StoredMessage } from "./maildir";

export interface InboundScenario {
  readonly name: string;
  /** Envelope recipients at Cloudflare (the addresses the sender's server delivered to). */
  readonly rcpt: string[];
  readonly to: string[];
  readonly cc?: string[];
  readonly shape?: ForwardShape;
  /** Stalwart account -> how many copies must land there (every other account: none). */
  readonly expect: Record<string, number>;
}

/** One message per routed address of a service account: each lands in its account, once. */
export function serviceAddressScenarios(
  accounts: Record<string, { addresses: string[] }>,
): InboundScenario[] {
  return Object.entries(accounts).flatMap(([name, a]) =>
    a.addresses.map((address) => ({
      name: `to ${address}`,
      rcpt: [address],
      to: [address],
      expect: { [name]: 1 },
    })),
  );
}

export const SHAPE_SCENARIOS: InboundScenario[] = [
  {
    name: "one message to two lab addresses (wazuh@, ti@)",
    rcpt: ["wazuh@example.net", "ti@example.net"],
    to: ["wazuh@example.net", "ti@example.net"],
    expect: { wazuh: 1, ti: 1 },
  },
  {
    name: "a Cc to thehive@ (To: someone outside)",
    rcpt: ["thehive@example.net"],
    to: ["someone@partner.example"],
    cc: ["thehive@example.net"],
    expect: { thehive: 1 },
  },
  {
    name: "a Cc to ioc@ and an address with no account (nobody@)",
    rcpt: ["ioc@example.net"],
    to: ["nobody@example.net"],
    cc: ["ioc@example.net"],
    expect: { ioc: 1 },
  },
  {
    name: "Bcc to misp@ (its headers name no declared address): the declared fallback",
    rcpt: ["misp@example.net"],
    to: ["list@partner.example"],
    expect: { postmaster: 1 },
  },
];

/** Where Cloudflare forwards mail for `address`: the routing rules the deployment left in Cloudflare. */
export function routedBox(lab: Lab, address: string): string | undefined {
  for (const z of lab.cloudflare.model.zones)
    for (const r of z.rules)
      if (r.enabled && r.matchers.some((m) => m.value === address))
        return r.actions.find((x) => x.type === "forward")?.value?.[0];
  return undefined;
}

export function messageId(): string {
  return `<lab-${randomBytes(6).toString("hex")}@sender.example.com>`;
}

export function rawMessage(o: {
  id: string;
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
}): string {
  return [
    `From: Lab sender <${o.from}>`,
    `To: ${o.to.join(", ")}`,
    ...(o.cc?.length ? [`Cc: ${o.cc.join(", ")}`] : []),
    `Subject: ${o.subject}`,
    `Message-ID: ${o.id}`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    `lab scenario: ${o.subject}`,
    "",
  ].join("\n");
}

/** Puts a scenario's message into the Gmail boxes Cloudflare forwards it to; returns its Message-ID. */
export function sendInbound(lab: Lab, s: InboundScenario): string {
  const id = messageId();
  const raw = rawMessage({ id, from: "alice@sender.example.com", to: s.to, cc: s.cc, subject: s.name });
  const stored = new Set<string>();
  for (const rcpt of s.rcpt) {
    const box = routedBox(lab, rcpt);
    if (!box) throw new Error(`scenario "${s.name}": the deployment routes no rule for ${rcpt}`);
    if (stored.has(box)) continue; // Gmail keeps one copy per Message-ID
    stored.add(box);
    deliverToMaildir(
      lab.gmail.maildir(box),
      asForwardedToGmail({ from: "alice@sender.example.com", rcpt, raw }, box, s.shape),
      lab.uid,
    );
  }
  return id;
}

/** Every Stalwart account's messages, by account name. */
export function stalwartMailboxes(lab: Lab): Record<string, StoredMessage[]> {
  const accounts = lab.deployment!.exports.accounts as Record<string, { login: string }>;
  return Object.fromEntries(
    Object.values(accounts).map((a) => [a.login, readMaildir(lab.stalwartMail!.maildir(a.login))]),
  );
}

/** Where the message with this Message-ID is: account -> copies, only where it is. */
export function whereIs(lab: Lab, id: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [account, msgs] of Object.entries(stalwartMailboxes(lab))) {
    const n = msgs.filter((m) => m.header("message-id") === id).length;
    if (n) out[account] = n;
  }
  return out;
}

/** Wakes fetchmail until `done()` or the timeout; returns whether done. */
export async function pollUntil(lab: Lab, done: () => boolean, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let lastPoke = 0;
  while (Date.now() < deadline) {
    if (done()) return true;
    if (Date.now() - lastPoke > 3_000) {
      lastPoke = Date.now();
      await lab.pmgHost.pollNow();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return done();
}
