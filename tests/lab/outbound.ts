/** Outbound helpers: a lab host's message through PMG, found in "the internet", its DKIM checked. */
import { dkimVerify } from "mailauth/lib/dkim/verify";
import { LAB, PMG_PORTS } from "./addresses";
import { cloudflareRecords } from "./dns";
import type { Lab } from "./lab";
import { readMaildir, type StoredMessage } from "./maildir";
import { messageId, rawMessage } from "./scenarios";
import { sendSmtp, type SmtpResult } from "./smtp";

export interface Sent {
  readonly id: string;
  readonly result: SmtpResult;
}

/** A message from `source` through PMG's `port` to `to`, sent as `from`. */
export async function sendThroughPmg(
  lab: Lab,
  o: { source: string; port: number; from: string; to: string; subject: string },
): Promise<Sent> {
  const id = messageId();
  const result = await sendSmtp(lab.net, {
    host: LAB.pmg,
    port: o.port,
    localAddress: o.source,
    from: o.from,
    to: [o.to],
    data: rawMessage({ id, from: o.from, to: [o.to], subject: o.subject }),
  });
  return { id, result };
}

export const fromLabHost = (lab: Lab, subject: string, to = "alice@partner.example") =>
  sendThroughPmg(lab, {
    source: LAB.labHost,
    port: PMG_PORTS.internal,
    from: "wazuh@example.net",
    to,
    subject,
  });

/** The copies of a message that reached "the internet" through Gmail. */
export function inInternet(lab: Lab, id: string): StoredMessage[] {
  return readMaildir(lab.gmail.internet).filter((m) => m.header("message-id") === id);
}

export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

/** DKIM results of a stored message, keys looked up in the TXT records the program published. */
export async function dkimResults(
  lab: Lab,
  m: StoredMessage,
): Promise<{ result: string; domain: string; selector: string }[]> {
  const published = cloudflareRecords(lab.cloudflare).filter((r) => r.type === "TXT");
  const resolver = async (name: string, rr: string) => {
    if (rr !== "TXT") throw Object.assign(new Error(`no ${rr}`), { code: "ENOTFOUND" });
    const found = published.filter((r) => r.name === name);
    if (!found.length) throw Object.assign(new Error(`no TXT for ${name}`), { code: "ENOTFOUND" });
    return found.map((r) => [...r.data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]));
  };
  const r = (await dkimVerify(Buffer.from(m.raw.replace(/\r?\n/g, "\r\n")), { resolver })) as {
    results: { status: { result: string }; signingDomain: string; selector: string }[];
  };
  return r.results.map((x) => ({ result: x.status.result, domain: x.signingDomain, selector: x.selector }));
}
