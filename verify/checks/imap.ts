/**
 * IMAP, per account: STARTTLS (or TLS on 993), login with the account's password from the outputs,
 * and SELECT INBOX (EXAMINE: read-only, so \Recent flags stay for the mailbox's real reader).
 */
import type { Check } from "../context";
import { closeImap, explainImapError, openImap, type ImapTarget } from "../imap";
import { describeTrust } from "../tls";
import { fail, pass, warn, type CheckResult } from "../result";

/** At most this many logins at once: a mail server may rate-limit one client's connections. */
const PARALLEL = 4;

export const imapLogins: Check = async (ctx) => {
  const { imap, accounts } = ctx.outputs;
  const entries = Object.entries(accounts ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (!imap) {
    return [
      warn(
        "imap",
        "no IMAP login tried: the outputs have no imap endpoint",
        "deploy with homelab-mail:stalwart set, so the stack exports imap and accounts",
      ),
    ];
  }
  if (entries.length === 0) {
    return [
      warn(
        "imap",
        "no IMAP login tried: the outputs list no accounts",
        "declare accounts in homelab-mail:stalwart.accounts",
      ),
    ];
  }
  const results: CheckResult[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < entries.length; i = next++) {
      const [name, a] = entries[i];
      results[i] = await loginAndSelect(`imap:${name}`, {
        imap,
        login: a.login,
        password: a.password,
        trust: ctx.options.imapTrust,
        timeoutMs: ctx.options.timeoutMs,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, entries.length) }, worker));
  return results;
};

async function loginAndSelect(id: string, t: ImapTarget): Promise<CheckResult> {
  if (!t.password || t.password === "[secret]") {
    return fail(
      id,
      `no password for ${t.login} in the outputs`,
      "read the outputs with secrets shown: pulumi stack output --json --show-secrets (npm run verify does so with --stack)",
    );
  }
  let client;
  try {
    client = await openImap(t);
    const box = await client.mailboxOpen("INBOX", { readOnly: true });
    const how = t.imap.security === "tls" ? "TLS" : "STARTTLS";
    return pass(
      id,
      `${t.login} logged in over ${how} (${describeTrust(t.trust)}), INBOX selected: ${box.exists} message${box.exists === 1 ? "" : "s"}`,
    );
  } catch (err) {
    const { detail, fix } = explainImapError(err, t);
    return fail(id, detail, fix);
  } finally {
    if (client) await closeImap(client);
  }
}
