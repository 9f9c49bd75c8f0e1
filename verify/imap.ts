/**
 * One IMAP session for the checks: STARTTLS required on 143 (imapflow's doSTARTTLS: a server that
 * stops offering it is a failure, never a fallback to plaintext), TLS on 993, imapflow's logger off
 * (it would print the session), and failures turned into a reason and a fix a person can act on.
 */
import { ImapFlow } from "imapflow";
import type { ImapOutput } from "../lib/outputs";
import { reason } from "./result";
import { describeTrust, imapTransport, type TlsTrust } from "./tls";

export interface ImapTarget {
  readonly imap: ImapOutput;
  readonly login: string;
  readonly password: string;
  readonly trust: TlsTrust;
  /** Connect, greeting and command timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Connect to this address instead, checking the certificate against `imap.host` (a name). */
  readonly address?: string;
}

export async function openImap(t: ImapTarget): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: t.address ?? t.imap.host,
    port: t.imap.port,
    secure: t.imap.security === "tls",
    doSTARTTLS: t.imap.security === "starttls" ? true : undefined,
    auth: { user: t.login, pass: t.password },
    transport: imapTransport(t.trust, t.address !== undefined ? t.imap.host : undefined),
    logger: false,
    connectionTimeout: t.timeoutMs,
    greetingTimeout: t.timeoutMs,
    socketTimeout: t.timeoutMs * 3,
  });
  // A late socket error after a failed connect must not become an unhandled 'error' event.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

export async function closeImap(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|E_TLS_PIN|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;

/** Why an IMAP session failed, and what to do, from imapflow's error. */
export function explainImapError(err: unknown, t: ImapTarget): { detail: string; fix: string } {
  const e = err as {
    code?: string;
    authenticationFailed?: boolean;
    serverResponseCode?: string;
    responseText?: string;
    tlsFailed?: boolean;
  };
  const where = `${t.imap.host}:${t.imap.port}`;
  // RFC 5530: UNAVAILABLE means the server could not check the password at all, not that it is wrong.
  if (e?.authenticationFailed && e.serverResponseCode === "UNAVAILABLE") {
    return {
      detail: `login as ${t.login} at ${where} failed on the server's side: ${e.responseText ?? "UNAVAILABLE"}`,
      fix: "look at the IMAP server's log: its account backend is failing (try again once it is back)",
    };
  }
  if (e?.authenticationFailed) {
    return {
      detail: `login as ${t.login} refused by ${where}${e.responseText ? `: ${e.responseText}` : ""}`,
      fix: "the password in the stack outputs differs from the server's: run `pulumi up --refresh`, or reset the account's password in the stack",
    };
  }
  if (e?.tlsFailed || TLS_CODES.test(e?.code ?? "")) {
    return {
      detail: `TLS with ${where} failed (trusting ${describeTrust(t.trust)}): ${reason(err)}`,
      fix: "give the server's CA with --imap-ca <file>, or pin its certificate with --imap-fingerprint <sha256> (openssl s_client -starttls imap -connect host:143 | openssl x509 -noout -fingerprint -sha256)",
    };
  }
  if (/STARTTLS/i.test(e?.code ?? "") || /STARTTLS/.test(reason(err))) {
    return {
      detail: `${where} offers no STARTTLS: ${reason(err)}`,
      fix: "enable STARTTLS on the IMAP listener (Stalwart: the listener's tls.implicit=false with a certificate)",
    };
  }
  return {
    detail: `IMAP ${where}: ${reason(err)}`,
    fix: "check that the IMAP server runs and that this host reaches it (the `imap` stack output)",
  };
}
