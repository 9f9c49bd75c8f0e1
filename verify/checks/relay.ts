/**
 * The relay: a test message through PMG's internal port (smtpRelay, no authentication: this host
 * must be in pmg.trustedNetworks) with nodemailer, to one routed account address, then its arrival there.
 *
 * STARTTLS is used when the relay offers it, without verifying the certificate, as MTAs do among
 * themselves (opportunistic TLS, RFC 7435): the message is a throwaway and no credential is sent.
 * The result says which it was. The sender defaults to the recipient, so any bounce returns there.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import MailComposer from "nodemailer/lib/mail-composer";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import type { AccountOutput, MailChainOutputs } from "../../lib/outputs";
import type { Check, VerifyOptions } from "../context";
import { fail, pass, reason, warn } from "../result";
import { awaitDelivery } from "./delivery";

export const relay: Check = async (ctx) => {
  const { smtpRelay, imap } = ctx.outputs;
  if (!ctx.options.send) {
    return [
      warn(
        "relay",
        "no test message sent (--no-send)",
        "run without --no-send to test the relay and delivery",
      ),
    ];
  }
  const to = recipient(ctx.outputs, ctx.options.to);
  if (!to) {
    return [
      warn(
        "relay",
        "no test message sent: the outputs list no account address",
        "give a recipient with --to <address>",
      ),
    ];
  }
  const messageId = `<verify-${randomUUID()}@homelab-mail.verify>`;
  const where = `${smtpRelay.host}:${smtpRelay.port}`;
  let sent: { response: string; tls: boolean };
  try {
    sent = await send(ctx.outputs, ctx.options, {
      from: ctx.options.from ?? to.address,
      to: to.address,
      messageId,
    });
  } catch (err) {
    const e = err as { responseCode?: number; response?: string };
    const refused = e.responseCode !== undefined;
    return [
      fail(
        "relay",
        refused
          ? `${where} refused the test message to ${to.address}: ${e.response ?? reason(err)}`
          : `${where} could not be reached: ${reason(err)}`,
        refused
          ? refusedHint(smtpRelay)
          : `check that PMG runs and that this host reaches ${where} (the smtpRelay stack output)`,
      ),
    ];
  }
  const results = [
    pass(
      "relay",
      `${where} accepted the test message ${messageId} for ${to.address} ${sent.tls ? "over STARTTLS (certificate not verified)" : "in plaintext (no STARTTLS offered)"}: ${sent.response}`,
    ),
  ];
  if (!to.account || !imap) {
    results.push(
      warn(
        "delivery",
        `arrival not checked: no account in the outputs has the address ${to.address}${imap ? "" : " (and there is no imap output)"}`,
        "send to an account's address with --to to see the message arrive",
      ),
    );
  } else {
    results.push(await awaitDelivery(to.account, imap, messageId, ctx.options));
  }
  return results;
};

/**
 * Why PMG refused. On its external port (25) PMG trusts only itself (master.cf.in: `-o
 * mynetworks=127.0.0.0/8,[int_ip]`), so a refusal there says nothing about the trusted networks;
 * on the internal port (int_port, default 26) the trusted networks decide (issue 16 item 1).
 */
export function refusedHint(r: MailChainOutputs["smtpRelay"]): string {
  if (r.port === 25 || (r.inboundPort !== undefined && r.port === r.inboundPort))
    return `port ${r.port} is PMG's external port, which relays for no one but PMG itself: send to PMG's internal port (int_port, default 26), which the smtpRelay output names since homelab-mail's fix for issue 16; run pulumi up to refresh the outputs`;
  return `PMG relays without authentication on port ${r.port} only for pmg.trustedNetworks: add this host's network there and run pulumi up (a 4xx answer is temporary: try again)`;
}

/** `--to`, else the first address of the first account (by name), with that address's account if any. */
export function recipient(
  o: MailChainOutputs,
  to?: string,
): { address: string; account?: { name: string; output: AccountOutput } } | undefined {
  const accounts = Object.entries(o.accounts ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const address = to ?? accounts.find(([, a]) => a.addresses.length > 0)?.[1].addresses[0];
  if (!address) return undefined;
  const owner = accounts.find(([, a]) => a.addresses.some((x) => x.toLowerCase() === address.toLowerCase()));
  return { address, account: owner ? { name: owner[0], output: owner[1] } : undefined };
}

async function send(
  o: MailChainOutputs,
  options: VerifyOptions,
  m: { from: string; to: string; messageId: string },
): Promise<{ response: string; tls: boolean }> {
  const raw = await new Promise<Buffer>((resolve, reject) =>
    new MailComposer({
      from: m.from,
      to: m.to,
      messageId: m.messageId,
      subject: "homelab-mail verify: test message",
      text: `Sent by npm run verify from ${hostname()} to test the relay and delivery; it deletes this message once found.\n`,
      headers: { "X-Homelab-Mail-Verify": "1" },
    })
      .compile()
      .build((err, message) => (err ? reject(err) : resolve(message))),
  );
  const timeout = options.timeoutMs;
  const conn = new SMTPConnection({
    host: o.smtpRelay.host,
    port: o.smtpRelay.port,
    secure: false,
    name: hostname(),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    tls: { rejectUnauthorized: false },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      conn.once("error", reject);
      conn.connect(() => resolve());
    });
    const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
      conn.send({ from: m.from, to: [m.to] }, raw, (err, i) => (err ? reject(err) : resolve(i))),
    );
    return { response: info.response, tls: conn.secure };
  } finally {
    conn.removeAllListeners("error");
    conn.on("error", () => undefined);
    conn.quit();
  }
}
