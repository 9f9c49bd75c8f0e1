/**
 * `--round-trip`: one message from outside the lab, followed hop by hop to its Stalwart account.
 * It is submitted to the Gmail smarthost (verify/roundTrip.ts says why not through PMG), then the
 * service box is watched over IMAPS when its password is given (the message arriving, then leaving
 * as fetchmail collects it with `nokeep`), and the account's INBOX over IMAP until it lands or
 * `--round-trip-timeout` passes. Each hop is one result; a failure names the hop and its fix.
 * The message is found by a unique Message-ID (and subject token) and deleted once found.
 */
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { ImapFlow } from "imapflow";
import type { Check, VerifyContext } from "../context";
import { closeImap, explainImapError, openImap, type ImapTarget } from "../imap";
import { fail, pass, reason, warn, type CheckResult } from "../result";
import { recipient } from "./relay";
import { submitToSmarthost } from "./smarthost";

const ID = "round-trip";

export const roundTrip: Check = async (ctx) => {
  const rt = ctx.options.roundTrip;
  if (!rt) return [];
  const to = recipient(ctx.outputs, ctx.options.to);
  const imap = ctx.outputs.imap;
  if (!to?.account || !imap) {
    return [
      fail(
        `${ID}:submit`,
        `no round trip: ${to ? `no account in the outputs has the address ${to.address}` : "the outputs list no account address"}${imap ? "" : " (and there is no imap output)"}`,
        "give an account's address with --to",
      ),
    ];
  }
  const token = randomUUID();
  const messageId = `<round-trip-${token}@homelab-mail.verify>`;
  const results: CheckResult[] = [];
  const submitted = await submitToSmarthost(rt, await address(ctx, rt.smarthost.host), {
    to: to.address,
    messageId,
    subject: `homelab-mail verify round trip ${token}`,
  });
  results.push(submitted);
  if (submitted.status === "fail") return results;

  const started = Date.now();
  const pollMs = Math.min(5_000, Math.max(500, rt.timeoutMs / 20));
  const account = to.account;
  const stalwart: ImapTarget = {
    imap,
    login: account.output.login,
    password: account.output.password,
    trust: ctx.options.imapTrust,
    timeoutMs: ctx.options.timeoutMs,
  };
  const box: ImapTarget | undefined = rt.fetchmailPassword
    ? {
        imap: { host: rt.gmailImap.host, port: rt.gmailImap.port, security: "tls" },
        address: await address(ctx, rt.gmailImap.host),
        login: rt.gmailUser,
        password: rt.fetchmailPassword,
        trust: rt.trust,
        timeoutMs: ctx.options.timeoutMs,
      }
    : undefined;
  const secs = (t: number) => `${((t - started) / 1000).toFixed(1)} s`;
  let stalwartClient: ImapFlow | undefined;
  let boxClient: ImapFlow | undefined;
  let seenAt: number | undefined;
  let leftAt: number | undefined;
  let landed: number[] = [];
  let boxError: string | undefined;
  try {
    try {
      stalwartClient = await openImap(stalwart);
      await stalwartClient.mailboxOpen("INBOX");
    } catch (err) {
      const { detail, fix } = explainImapError(err, stalwart);
      results.push(fail(`${ID}:delivery:${account.name}`, `could not watch the INBOX: ${detail}`, fix));
      return results;
    }
    if (box) {
      try {
        boxClient = await openImap(box);
        await boxClient.mailboxOpen("INBOX", { readOnly: true });
      } catch (err) {
        boxError = explainImapError(err, box).detail;
      }
    }
    for (;;) {
      if (boxClient && leftAt === undefined) {
        try {
          const inBox = await find(boxClient, messageId);
          if (inBox.length > 0) seenAt ??= Date.now();
          else if (seenAt !== undefined) leftAt = Date.now();
        } catch (err) {
          boxError = reason(err);
          boxClient = undefined;
        }
      }
      landed = await find(stalwartClient, messageId);
      if (landed.length > 0 || Date.now() - started > rt.timeoutMs) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    if (landed.length > 0) await stalwartClient.messageDelete(landed, { uid: true });
  } finally {
    if (stalwartClient) await closeImap(stalwartClient);
    if (boxClient) await closeImap(boxClient);
  }

  const where = `${rt.gmailUser}'s INBOX`;
  const waited = `${rt.timeoutMs / 1000} s`;
  if (!box) {
    results.push(
      warn(
        `${ID}:gmail-box`,
        `the service box was not watched (no gmailFetchmailPassword in the environment)`,
        "set gmailFetchmailPassword to see the message arrive in the service box and leave it",
      ),
    );
  } else if (boxError !== undefined) {
    results.push(
      warn(
        `${ID}:gmail-box`,
        `could not watch ${where}: ${boxError}`,
        "check gmailFetchmailPassword (homelab-mail:gmailFetchmailPassword) and --gmail-imap/--gmail-ca",
      ),
    );
  } else if (seenAt !== undefined && leftAt === undefined && landed.length === 0) {
    results.push(
      fail(
        `${ID}:gmail-box`,
        `the message arrived in ${where} after ${secs(seenAt)} and was still there after ${waited}`,
        "fetchmail is not collecting (systemctl status fetchmail on PMG; its log shows a refused login when homelab-mail:gmailFetchmailPassword is wrong)",
      ),
    );
  } else if (seenAt === undefined && landed.length === 0) {
    results.push(
      fail(
        `${ID}:gmail-box`,
        `the message never showed in ${where} within ${waited}`,
        `Cloudflare did not forward it: check the routing rule for ${to.address} (the routing: check) and Gmail's spam folder; Gmail also files a message sent from the same account only under Sent Mail (docs/assumptions.md)`,
      ),
    );
  } else {
    results.push(
      pass(
        `${ID}:gmail-box`,
        seenAt !== undefined
          ? `arrived in ${where} after ${secs(seenAt)}${leftAt !== undefined ? `, collected by fetchmail after ${secs(leftAt)}` : ""}`
          : `not seen in ${where}: fetchmail collected it between two looks`,
      ),
    );
  }
  const id = `${ID}:delivery:${account.name}`;
  if (landed.length === 1) {
    results.push(
      pass(id, `${messageId} landed in ${account.name}'s INBOX after ${secs(Date.now())} (deleted again)`),
    );
  } else if (landed.length > 1) {
    results.push(
      warn(
        id,
        `${messageId} landed ${landed.length} times in ${account.name}'s INBOX (deleted again)`,
        "fetchmail delivered one message more than once: check that its stanza keeps no `keep` and that PMG accepted each copy once (PMG's tracking center)",
      ),
    );
  } else {
    results.push(
      fail(
        id,
        `${messageId} is not in ${account.name}'s INBOX after ${waited}`,
        leftAt !== undefined
          ? "fetchmail collected it but PMG did not deliver it: look it up by Message-ID in PMG's tracking center (`mailq` on PMG; the transport for the domain to Stalwart)"
          : box && boxError === undefined
            ? "see the round-trip:gmail-box line for the hop that held it"
            : "follow it hop by hop: Cloudflare's routing rule, the service box (set gmailFetchmailPassword to watch it), fetchmail on PMG (systemctl status fetchmail), PMG's queue and transport to Stalwart; or wait longer with --round-trip-timeout",
      ),
    );
  }
  return results;
};

/** UIDs of messages with this Message-ID; NOOP first, so the server reports what arrived. */
async function find(client: ImapFlow, messageId: string): Promise<number[]> {
  await client.noop();
  return (await client.search({ header: { "message-id": messageId } }, { uid: true })) || [];
}

/** `host` resolved through verify's --dns resolver (the certificate is still checked against the name). */
async function address(ctx: VerifyContext, host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  const found = await ctx.dns.records("A", host).catch(() => []);
  return found[0] ?? host;
}
