/**
 * Delivery: the test message, found by its Message-ID in the recipient account's INBOX within the
 * timeout, then deleted, so service mailboxes (TheHive and OpenCTI read theirs) are left as they were.
 */
import type { AccountOutput, ImapOutput } from "../../lib/outputs";
import type { VerifyOptions } from "../context";
import { closeImap, explainImapError, openImap, type ImapTarget } from "../imap";
import { fail, pass, type CheckResult } from "../result";

const POLL_MS = 300;

export async function awaitDelivery(
  account: { name: string; output: AccountOutput },
  imap: ImapOutput,
  messageId: string,
  options: VerifyOptions,
): Promise<CheckResult> {
  const id = `delivery:${account.name}`;
  const target: ImapTarget = {
    imap,
    login: account.output.login,
    password: account.output.password,
    trust: options.imapTrust,
    timeoutMs: options.timeoutMs,
  };
  const started = Date.now();
  let client;
  try {
    client = await openImap(target);
    await client.mailboxOpen("INBOX");
    for (;;) {
      // NOOP lets the server announce what arrived since the last command.
      await client.noop();
      const uids = (await client.search({ header: { "message-id": messageId } }, { uid: true })) || [];
      if (uids.length > 0) {
        await client.messageDelete(uids, { uid: true });
        return pass(
          id,
          `the test message ${messageId} arrived in ${account.name}'s INBOX after ${((Date.now() - started) / 1000).toFixed(1)} s (deleted again)`,
        );
      }
      if (Date.now() - started > options.deliveryTimeoutMs) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return fail(
      id,
      `the test message ${messageId} was accepted but is not in ${account.name}'s INBOX after ${options.deliveryTimeoutMs / 1000} s`,
      "look it up by Message-ID in PMG's tracking center: a transport to Stalwart, a spam verdict or the quarantine may hold it; or wait longer with --timeout",
    );
  } catch (err) {
    const { detail, fix } = explainImapError(err, target);
    return fail(id, `could not look for the test message: ${detail}`, fix);
  } finally {
    if (client) await closeImap(client);
  }
}
