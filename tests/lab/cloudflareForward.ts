/**
 * Cloudflare Email Routing, emulated for mail that really travels: what "Gmail"'s submission
 * service relays to the lab's own domains (gmail.ts, `toCloudflare`) is picked up here, rewritten
 * as Cloudflare and Gmail leave it (internet.ts) and stored in the Gmail box the deployment's
 * routing rule names (scenarios.ts `routedBox`), where fetchmail collects it. This is the internet
 * hop of `npm run verify -- --round-trip` in the lab. An address no rule routes is dropped: Cloudflare
 * forwards it nowhere (docs/assumptions.md, "Cloudflare Email Routing: an address no rule routes
 * is not forwarded").
 *
 * Postfix's virtual(8) delivery agent prepends `Delivered-To: <envelope recipient>`,
 * `X-Original-To:` and `Return-Path: <envelope sender>` (virtual(8), "DELIVERY"); those are the
 * envelope this hop reads, and removes again before Cloudflare's own headers are added.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { asForwardedToGmail } from "./internet";
import { deliverToMaildir, parseMessage } from "./maildir";

export interface CloudflareForward {
  /** Messages forwarded so far: Message-ID, routed address, box (or none: dropped). */
  readonly forwarded: { id?: string; rcpt: string; box?: string }[];
  stop(): void;
}

const ENVELOPE = new Set(["delivered-to", "x-original-to", "return-path"]);

export function startCloudflareForward(o: {
  /** The Maildir the submission service delivers the lab's domains into. */
  from: string;
  /** Where Cloudflare forwards an address (the deployment's routing rules), or undefined. */
  routedBox: (address: string) => string | undefined;
  boxMaildir: (box: string) => string;
  uid: number;
  intervalMs?: number;
}): CloudflareForward {
  const forwarded: CloudflareForward["forwarded"] = [];
  const sweep = () => {
    const dir = path.join(o.from, "new");
    if (!fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const raw = fs.readFileSync(file, "utf8");
      const msg = parseMessage(file, raw);
      const rcpt = (msg.header("delivered-to") ?? "").trim().toLowerCase();
      const sender = (msg.header("return-path") ?? "").replace(/[<>]/g, "").trim() || "bounce@invalid";
      const body = stripLeading(raw);
      const box = o.routedBox(rcpt);
      if (box) {
        deliverToMaildir(
          o.boxMaildir(box),
          asForwardedToGmail({ from: sender, rcpt, raw: body }, box),
          o.uid,
        );
      }
      forwarded.push({ id: msg.header("message-id"), rcpt, box });
      fs.rmSync(file);
    }
  };
  const timer = setInterval(() => {
    try {
      sweep();
    } catch {
      // a file half-written by another sweep: the next sweep takes it
    }
  }, o.intervalMs ?? 200);
  timer.unref();
  return { forwarded, stop: () => clearInterval(timer) };
}

/** The message without the envelope headers the delivery agent prepended. */
function stripLeading(raw: string): string {
  const lines = raw.split("\n");
  let i = 0;
  while (i < lines.length && ENVELOPE.has(lines[i].split(":")[0].toLowerCase())) i++;
  return lines.slice(i).join("\n");
}
