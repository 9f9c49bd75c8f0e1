/**
 * A minimal SMTP client for the lab's senders (a lab host, an outsider): plain SMTP from a chosen
 * source address inside the lab, stopping at the first refusal and saying what was refused.
 */
import type { LabNet } from "./netns";

export interface SmtpResult {
  /** Every recipient accepted and the message queued. */
  readonly accepted: boolean;
  /** The server's replies, one per command, in order. */
  readonly replies: string[];
  /** The first refusing reply ("554 5.7.1 <x@y>: Relay access denied"), when not accepted. */
  readonly refusal?: string;
}

/** Sends one message; a server that does not greet within 10 s fails it. */
export async function sendSmtp(net: LabNet, o: SmtpOptions): Promise<SmtpResult> {
  return sendOnce(net, o);
}

class NoGreeting extends Error {}

interface SmtpOptions {
  host: string;
  port: number;
  from: string;
  localAddress: string;
  to: string[];
  data: string;
  helo?: string;
}

async function sendOnce(
  net: LabNet,
  o: {
    host: string;
    port: number;
    from: string;
    localAddress: string;
    to: string[];
    data: string;
    helo?: string;
  },
): Promise<SmtpResult> {
  const s = await net.connect(o.host, o.port, o.localAddress);
  const data = o.data.replace(/\r?\n/g, "\r\n");
  const steps = [
    null,
    `EHLO ${o.helo ?? "labhost.lab.example.net"}\r\n`,
    `MAIL FROM:<${o.from}>\r\n`,
    ...o.to.map((r) => `RCPT TO:<${r}>\r\n`),
    "DATA\r\n",
    data.replace(/^\./gm, "..") + (data.endsWith("\r\n") ? "" : "\r\n") + ".\r\n",
    "QUIT\r\n",
  ];
  return new Promise((resolve, reject) => {
    let buf = "";
    let i = 0;
    const replies: string[] = [];
    const greeting = setTimeout(() => {
      if (replies.length > 0) return;
      clearTimeout(timer);
      s.destroy();
      reject(new NoGreeting(`no greeting from ${o.host}:${o.port} within 10 s`));
    }, 10_000);
    const timer = setTimeout(
      () => (s.destroy(), reject(new Error(`SMTP to ${o.host}:${o.port} timed out: ${replies.join(" | ")}`))),
      30_000,
    );
    const finish = (r: SmtpResult) => {
      clearTimeout(timer);
      clearTimeout(greeting);
      s.destroy();
      resolve(r);
    };
    s.on("data", (chunk: Buffer) => {
      buf += chunk.toString("latin1");
      for (;;) {
        const m = /^(\d{3})([ -])(.*)\r?\n/m.exec(buf);
        if (!m) return;
        buf = buf.slice(m.index + m[0].length);
        if (m[2] === "-") continue;
        const reply = `${m[1]} ${m[3]}`;
        replies.push(reply);
        if (!/^[23]/.test(m[1])) return finish({ accepted: false, replies, refusal: reply });
        i++;
        if (i >= steps.length) return finish({ accepted: true, replies });
        s.write(steps[i]!, "latin1");
      }
    });
    s.on("error", (e) => (clearTimeout(timer), reject(e)));
    s.on(
      "close",
      () =>
        i < steps.length &&
        finish({ accepted: false, replies, refusal: replies.at(-1) ?? "connection closed" }),
    );
  });
}
