/**
 * The internet hop, emulated: what Cloudflare Email Routing and then Gmail leave on a message sent
 * to one of the domains' addresses, stored in the Gmail box the routing rule names. Which headers
 * carry the original recipient (see docs/lab.md, "Message shapes", for the sources):
 *  - Cloudflare keeps the sender's own headers (To, Cc: the addresses the sender wrote, which for
 *    a Bcc or a list are not the routed address), rewrites the envelope sender with SRS and
 *    adds its Received trace, whose `for <...>` clause is the address it accepted the message for
 *    (RFC 5321 4.4 "for" clause), plus X-Forwarded-For/X-Forwarded-To as Google asks forwarders
 *    to (support.google.com/mail/answer/175365 "Add forwarding headers").
 *  - Gmail prepends `Delivered-To: <the box>` and its own Received `for <the box>`: the box, not
 *    the original recipient.
 */
import { randomBytes } from "node:crypto";

export interface InboundMessage {
  /** Envelope sender, as the sending server gave it. */
  readonly from: string;
  /** The routed address the message was accepted for (one envelope recipient). */
  readonly rcpt: string;
  /** The message as the sender wrote it (headers and body). */
  readonly raw: string;
}

export interface ForwardShape {
  /** Whether Cloudflare's X-Forwarded-For/To headers are present (default true). */
  readonly forwardedHeaders?: boolean;
}

const date = () => new Date().toUTCString().replace("GMT", "+0000");

/** Cloudflare's SRS form of an envelope sender (SRS0=hash=tt=domain=local@<forwarding domain>). */
export function srs(sender: string, forwardingDomain: string): string {
  const [local, domain] = sender.split("@");
  return `SRS0=${randomBytes(2).toString("hex")}=LB=${domain}=${local}@${forwardingDomain}`;
}

/** The message as Gmail stores it in `box` after Cloudflare forwarded it there. */
export function asForwardedToGmail(m: InboundMessage, box: string, shape: ForwardShape = {}): string {
  const domain = m.rcpt.split("@")[1];
  const id = randomBytes(6).toString("hex");
  const lines = [
    `Delivered-To: ${box}`,
    `Received: by 2002:a05:lab:${id} with SMTP id lab${id}; ${date()}`,
    `Return-Path: <${srs(m.from, domain)}>`,
    `Received: from lab-mx.cloudflare.net (lab-mx.cloudflare.net. [198.18.0.9]) by mx.google.com with ESMTPS id ${id} for <${box}> (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); ${date()}`,
    ...(shape.forwardedHeaders === false
      ? []
      : [`X-Forwarded-To: ${box}`, `X-Forwarded-For: ${m.rcpt} ${box}`]),
    `Received: from sender.example.com (sender.example.com [198.18.0.77]) by lab-mx.cloudflare.net (Postfix) with ESMTPS id ${id.toUpperCase()} for <${m.rcpt}>; ${date()}`,
  ];
  return lines.join("\n") + "\n" + m.raw.replace(/\r\n/g, "\n");
}
