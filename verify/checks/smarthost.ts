/**
 * The round trip's first hop: the message submitted to the Gmail smarthost as PMG would send it:
 * STARTTLS required (nodemailer's requireTLS: no plaintext fallback) with the certificate verified
 * against the smarthost's name, then SASL with the app password. Gmail answers a wrong app password
 * with `535-5.7.8 Username and Password not accepted` (support.google.com/mail/?p=BadCredentials),
 * which nodemailer reports as code EAUTH.
 */
import { hostname } from "node:os";
import MailComposer from "nodemailer/lib/mail-composer";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { fail, pass, reason, type CheckResult } from "../result";
import type { RoundTripOptions } from "../roundTrip";

const ID = "round-trip:submit";
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME|ETLS/;

export async function submitToSmarthost(
  rt: RoundTripOptions,
  address: string,
  m: { to: string; messageId: string; subject: string },
): Promise<CheckResult> {
  const where = `${rt.smarthost.host}:${rt.smarthost.port}`;
  const raw = await new Promise<Buffer>((resolve, reject) =>
    new MailComposer({
      from: rt.gmailUser,
      to: m.to,
      messageId: m.messageId,
      subject: m.subject,
      text: `Sent by npm run verify --round-trip from ${hostname()} through ${rt.smarthost.host}; it deletes this message once found in Stalwart.\n`,
      headers: { "X-Homelab-Mail-Verify": "round-trip" },
    })
      .compile()
      .build((err, message) => (err ? reject(err) : resolve(message))),
  );
  const conn = new SMTPConnection({
    host: address,
    port: rt.smarthost.port,
    secure: false,
    requireTLS: true,
    name: hostname(),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    tls: {
      servername: rt.smarthost.host,
      rejectUnauthorized: true,
      ...(rt.trust.kind === "ca" ? { ca: rt.trust.pem } : {}),
    },
  });
  let stage = "connect";
  try {
    await new Promise<void>((resolve, reject) => {
      conn.once("error", reject);
      conn.connect(() => resolve());
    });
    stage = "login";
    await new Promise<void>((resolve, reject) =>
      conn.login({ user: rt.gmailUser, pass: rt.smarthostPassword }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    stage = "send";
    const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
      conn.send({ from: rt.gmailUser, to: [m.to] }, raw, (err, i) => (err ? reject(err) : resolve(i))),
    );
    return pass(
      ID,
      `${where} (STARTTLS, certificate verified) accepted ${m.messageId} from ${rt.gmailUser} to ${m.to}: ${info.response}`,
    );
  } catch (err) {
    const e = err as { code?: string; response?: string; responseCode?: number };
    if (stage === "login" && (e.code === "EAUTH" || e.responseCode === 535 || e.responseCode === 534)) {
      return fail(
        ID,
        `${where} refused the login of ${rt.gmailUser}: ${e.response ?? reason(err)}`,
        "wrong app password (homelab-mail:gmailSmarthostPassword): create a new app password for this Gmail account, set it with `pulumi config set --secret homelab-mail:gmailSmarthostPassword`, pulumi up, and export the same value as gmailSmarthostPassword",
      );
    }
    if (TLS_CODES.test(e.code ?? "") || /certificate|STARTTLS/i.test(reason(err))) {
      return fail(
        ID,
        `TLS with ${where} failed (the certificate must name ${rt.smarthost.host}): ${reason(err)}`,
        "a machine in the middle, or the wrong --smarthost; give the CA with --gmail-ca only for a test CA",
      );
    }
    if (e.responseCode !== undefined) {
      return fail(
        ID,
        `${where} refused the message to ${m.to}: ${e.response ?? reason(err)}`,
        "Gmail's answer says why (a 4xx is temporary: try again later)",
      );
    }
    return fail(
      ID,
      `${where} could not be reached (${stage}): ${reason(err)}`,
      `check that this host reaches ${where} (outbound 587 open, --dns resolves ${rt.smarthost.host})`,
    );
  } finally {
    conn.removeAllListeners("error");
    conn.on("error", () => undefined);
    conn.quit();
  }
}
