/**
 * Where fetched mail goes, proven with the real programs: Debian's fetchmail runs the account
 * block exactly as the program renders it into PMG's template (only PMG's template variables filled
 * in, with the recorder's port as PMG's external port), against a real IMAPS Dovecot holding
 * messages shaped as Cloudflare Email Routing forwards them and Gmail stores them
 * (docs/recipient-headers.md), and delivers by SMTP to a listener that records every envelope.
 * The old stanza (single drop through sendmail) is the regression case: it never names the original
 * recipient.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  envelopeProblem,
  renderAccountBlock,
  renderLegacyFetchmailrc,
  type FetchmailAccount,
} from "../../../providers/pmghost/fetchmailrc";
import { startImapsBox, startSmtpRecorder, type ImapsBox, type SmtpRecorder } from "./gmailBox";

const BOX = "lab-service-box@example.com";
const DECLARED = ["thehive@example.net", "wazuh@example.net", "noreply@example.net", "noreply@example.org"];
const FALLBACK = "postmaster@example.net";

/** A message as Gmail stores it after Cloudflare forwarded it for `original` (headers per docs/recipient-headers.md). */
function forwarded(o: { original: string; to: string; cc?: string; subject: string }): string {
  return [
    `Delivered-To: ${BOX}`,
    `Received: by 2002:a05:6a10:0:0:0:0 with SMTP id test; Sun, 6 Dec 2026 12:00:01 -0800 (PST)`,
    `Received: from mail.cloudflare.net (mail.cloudflare.net. [104.30.0.7]) by mx.google.com with ESMTPS id test for <${BOX}>; Sun, 6 Dec 2026 12:00:00 -0800 (PST)`,
    `X-Forwarded-To: ${BOX}`,
    `X-Forwarded-For: ${o.original} ${BOX}`,
    `Received: from sender.example by mx.cloudflare.net (Mail) with ESMTPS; Sun, 6 Dec 2026 20:00:00 +0000`,
    `Return-Path: <SRS0=abcd=x=sender.example=alice@example.net>`,
    `From: Alice <alice@sender.example>`,
    `To: ${o.to}`,
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject}`,
    `Message-ID: <${o.subject.replace(/\W/g, "")}@sender.example>`,
    `Date: Sun, 6 Dec 2026 20:00:00 +0000`,
    "",
    `Body of ${o.subject}`,
    "",
  ].join("\n");
}

describe("fetchmail delivers each fetched message to its original recipients (real fetchmail, Dovecot over IMAPS)", () => {
  let dir: string;
  let box: ImapsBox;
  let smtp: SmtpRecorder;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pmghost-delivery-"));
    fs.chmodSync(dir, 0o755);
    box = await startImapsBox(dir, BOX, "delivery-test-password");
    smtp = await startSmtpRecorder();
  }, 30_000);
  afterAll(async () => {
    await box?.stop();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const account = (envelope = "none"): FetchmailAccount => ({
    server: "localhost",
    port: box.port,
    user: BOX,
    password: box.password,
    folder: "INBOX",
    interval: 1,
    localNames: DECLARED,
    fallback: FALLBACK,
    envelope,
  });

  /** One poll with `rc`, as the daemon user would run it; returns fetchmail's log. Asynchronous: the SMTP recorder lives in this process. */
  async function poll(rc: string, asUser?: string): Promise<string> {
    const file = path.join(dir, `rc-${Date.now()}`);
    fs.writeFileSync(file, rc, { mode: 0o600 });
    const cmd = ["fetchmail", "-f", file, "--nosyslog", "-v", "-v"]; // -v -v: the parsing decisions are in the log
    let home = dir;
    if (asUser) {
      const uid = Number(spawnSync("id", ["-u", asUser]).stdout.toString());
      fs.chownSync(file, uid, 65534);
      home = path.join(dir, `home-${asUser}`);
      fs.mkdirSync(home, { recursive: true });
      fs.chownSync(home, uid, 65534);
    }
    const argv = asUser ? ["setpriv", `--reuid=${asUser}`, "--regid=nogroup", "--clear-groups", ...cmd] : cmd;
    const out = await new Promise<string>((resolve) =>
      execFile(
        argv[0],
        argv.slice(1),
        {
          encoding: "utf8",
          env: { PATH: process.env.PATH, HOME: home, SSL_CERT_FILE: box.caFile, LANG: "C" },
          timeout: 60_000,
        },
        (_e, stdout, stderr) => resolve(`${stdout}${stderr}`),
      ),
    );
    fs.rmSync(file, { force: true });
    return out;
  }
  const ours = (envelope?: string) =>
    renderAccountBlock(account(envelope), `127.0.0.1/${smtp.port}`, path.join(dir, "touched")).join("\n") +
    "\n";
  const delivered = () =>
    smtp.delivered.splice(0).map((t) => ({ subject: /Subject: (.*)/.exec(t.data)?.[1], rcpts: t.rcpts }));

  it("sends each shape to exactly its declared recipients, the rest to the fallback, and empties the box", async () => {
    box.put(
      forwarded({
        original: "thehive@example.net",
        to: "thehive@example.net",
        subject: "one service address",
      }),
    );
    box.put(
      forwarded({
        original: "noreply@example.net",
        to: "noreply@example.net, noreply@example.org",
        subject: "one account two domains",
      }),
    );
    box.put(
      forwarded({
        original: "thehive@example.net",
        to: "thehive@example.net",
        cc: "wazuh@example.net, me@example.net",
        subject: "a cc",
      }),
    );
    box.put(forwarded({ original: "nobody@example.net", to: "nobody@example.net", subject: "no account" }));
    box.put(forwarded({ original: "thehive@example.net", to: "undisclosed-recipients:;", subject: "a bcc" }));
    const log = await poll(ours());
    const got = delivered();
    expect(got).toEqual([
      { subject: "one service address", rcpts: ["thehive@example.net"] },
      { subject: "one account two domains", rcpts: ["noreply@example.net", "noreply@example.org"] },
      { subject: "a cc", rcpts: ["thehive@example.net", "wazuh@example.net"] },
      { subject: "no account", rcpts: [FALLBACK] },
      { subject: "a bcc", rcpts: [FALLBACK] },
    ]);
    expect(box.count()).toBe(0);
    expect(log).not.toMatch(/fetchmail@|root@/);
  });

  it("proves `envelope X-Forwarded-For` unusable: fetchmail reads Cloudflare's `<original> <box>` as one address", async () => {
    box.put(forwarded({ original: "thehive@example.net", to: "undisclosed-recipients:;", subject: "a bcc" }));
    const log = await poll(ours("X-Forwarded-For"));
    expect(log).toContain(
      'Parsing envelope "X-Forwarded-For" names "X-Forwarded-For: thehive@example.net lab-service-box@example.com"',
    );
    expect(delivered()).toEqual([{ subject: "a bcc", rcpts: [FALLBACK] }]);
    // ...which is why the option refuses it, with the reason.
    expect(envelopeProblem("X-Forwarded-For")).toMatch(/one address/);
  });

  it.each([
    ["a permanent refusal", "550 5.1.1 <x>: Recipient address rejected"],
    ["a temporary refusal", "451 4.3.0 Try again later"],
  ])(
    "keeps a message in Gmail when PMG answers %s, and delivers it once PMG accepts",
    async (_label, answer) => {
      smtp.reply = () => answer;
      box.put(forwarded({ original: "thehive@example.net", to: "thehive@example.net", subject: "refused" }));
      await poll(ours());
      expect(delivered()).toEqual([]);
      expect(box.count()).toBe(1); // not expunged before the next hop accepted it
      smtp.reply = () => "250 2.1.5 Ok";
      await poll(ours());
      expect(delivered()).toEqual([{ subject: "refused", rcpts: ["thehive@example.net"] }]);
      expect(box.count()).toBe(0);
    },
  );

  it("retries a message kept during a PMG outage at the next poll of the same daemon, and delivers it once", async () => {
    // PMG's port is closed for the first poll: a port nothing listens on until the recorder starts there.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const rc = path.join(dir, "rc-daemon");
    fs.writeFileSync(rc, renderAccountBlock(account(), `127.0.0.1/${port}`, rc).join("\n") + "\n", {
      mode: 0o600,
    });
    box.put(forwarded({ original: "thehive@example.net", to: "thehive@example.net", subject: "outage" }));
    let log = "";
    // As PMG runs it: one daemon for every poll (PMG's template: `set daemon 300`; 2 s here).
    const daemon = spawn("fetchmail", ["-f", rc, "--nosyslog", "--nodetach", "-v", "-d", "2"], {
      env: { PATH: process.env.PATH, HOME: dir, SSL_CERT_FILE: box.caFile, LANG: "C" },
    });
    daemon.stdout.on("data", (c: Buffer) => (log += c.toString()));
    daemon.stderr.on("data", (c: Buffer) => (log += c.toString()));
    let up: SmtpRecorder | undefined;
    const until = async (ok: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !ok() && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 200));
      return ok();
    };
    try {
      expect(await until(() => /SMTP connect to .* failed/.test(log), 20_000)).toBe(true);
      expect(box.count()).toBe(1); // kept in Gmail
      up = await startSmtpRecorder(port);
      const polls = (log.match(/reading message/g) ?? []).length;
      await until(() => up!.delivered.length > 0, 15_000);
      // two more polls, so a second copy would show
      await until(
        () => (log.match(/reading message/g) ?? []).length >= polls + 2 || box.count() === 0,
        8_000,
      );
      await new Promise((r) => setTimeout(r, 2_500));
      expect(up.delivered.map((t) => t.rcpts)).toEqual([["thehive@example.net"]]);
      expect(box.count()).toBe(0);
      // ...by a fresh process: the one that failed had the message's header digest (see fetchmailrc.ts).
      expect(log).toMatch(/restarting fetchmail \(.*rc-daemon changed\)/);
    } finally {
      daemon.kill("SIGTERM");
      await up?.close();
      if (!/SMTP connect/.test(log) || box.count() !== 0) console.log(log);
    }
  }, 60_000);

  it("regression: the old stanza hands every message to the local daemon user, never to its recipient", async () => {
    const mdaLog = path.join(dir, "mda.log");
    const mda = path.join(dir, "mda.sh");
    fs.writeFileSync(mda, `#!/bin/sh\necho "$*" >> ${mdaLog}\ncat > /dev/null\n`, { mode: 0o755 });
    fs.writeFileSync(mdaLog, "");
    fs.chmodSync(mdaLog, 0o666);
    // The old text with its sendmail replaced by a recorder taking the same arguments.
    const old = renderLegacyFetchmailrc({ ...account(), server: "localhost" })
      .replace("set daemon 120\n", "")
      .replace("set syslog\n", "")
      .replace('"/usr/sbin/sendmail -oi -f %F -- %T"', `"${mda} -oi -f %F -- %T"`);
    box.put(forwarded({ original: "thehive@example.net", to: "thehive@example.net", subject: "legacy" }));
    await poll(old, "fetchmail");
    const calls = fs.readFileSync(mdaLog, "utf8").trim().split("\n");
    // As measured in issue 11: the recipient is the daemon's own user name, `fetchmail`.
    expect(calls).toEqual(["-oi -f SRS0=abcd=x=sender.example=alice@example.net -- fetchmail"]);
    expect(calls.join()).not.toContain("thehive@example.net");
    expect(box.count()).toBe(0); // ...and then deleted it from Gmail
  });
});
