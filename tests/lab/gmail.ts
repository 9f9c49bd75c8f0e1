/**
 * "Gmail" in the lab: Dovecot over IMAPS on imap.gmail.com:993 holding the service box and the
 * personal box, and Postfix's submission service on smtp.gmail.com:587 that, like Gmail's,
 * requires STARTTLS before AUTH (`smtpd_tls_auth_only`) and relays only for authenticated clients
 * (Gmail answers "530-5.7.0 Must issue a STARTTLS command first" / "530 5.7.0 Authentication
 * Required"). What it accepts lands in one "internet" mailbox, where scenarios read it.
 * Its certificate is issued by the lab CA for both names; `presentUntrusted` swaps in a
 * self-signed one, as a man in the middle would show.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAB } from "./addresses";
import type { LabCa } from "./ca";
import { startLabDovecot, type LabDovecot, type LabMailUser } from "./dovecot";
import type { LabNet } from "./netns";
import { startLabPostfix, type LabPostfix } from "./postfix";

export interface GmailBox {
  readonly address: string;
  readonly password: string;
}

export interface LabGmail {
  readonly imap: LabDovecot;
  readonly smtp: LabPostfix;
  /** Maildir of a box by address, and of everything relayed to the internet. */
  maildir(address: string): string;
  readonly internet: string;
  /** What the submission service relayed to the lab's own domains: Cloudflare's MX picks it up there. */
  readonly toCloudflare: string;
  /** AUTH attempts the submission service saw (successful and failed), from its log. */
  authAttempts(): number;
  /** Present the untrusted certificate on 587 (true) or the CA-issued one (false). */
  presentUntrusted(untrusted: boolean): void;
  /** Change a box's password (a revoked or mistyped app password). */
  setPassword(address: string, password: string): void;
  stop(): Promise<void>;
}

export async function startGmail(opts: {
  dir: string;
  net: LabNet;
  ca: LabCa;
  uid: number;
  boxes: GmailBox[];
  /** Domains whose MX is Cloudflare Email Routing: mail to them goes to `toCloudflare`. */
  cloudflareDomains?: string[];
}): Promise<LabGmail> {
  const { dir, net, ca, uid } = opts;
  const good = ca.issue("gmail", ["smtp.gmail.com", "imap.gmail.com"]);
  const bad = ca.untrusted("gmail-untrusted", ["smtp.gmail.com", "imap.gmail.com"]);
  const home = (a: string) => path.join(dir, "boxes", a);
  let boxes = opts.boxes.map((b) => ({ ...b }));
  const users = (): LabMailUser[] =>
    boxes.map((b) => ({ login: b.address, password: b.password, home: home(b.address) }));
  const internetHome = path.join(dir, "internet");
  fs.mkdirSync(path.join(internetHome, "Maildir"), { recursive: true });
  fs.chownSync(internetHome, uid, uid);
  fs.chownSync(path.join(internetHome, "Maildir"), uid, uid);
  const cloudflareHome = path.join(dir, "cloudflare");
  fs.mkdirSync(path.join(cloudflareHome, "Maildir"), { recursive: true });
  fs.chownSync(cloudflareHome, uid, uid);
  fs.chownSync(path.join(cloudflareHome, "Maildir"), uid, uid);
  const cfPattern = (opts.cloudflareDomains ?? []).map((d) => d.replace(/\./g, "\\.")).join("|");
  const authSocket = path.join(dir, "dovecot", "auth-postfix");
  const imap = await startLabDovecot({
    name: "gmail",
    dir: path.join(dir, "dovecot"),
    net,
    address: LAB.gmail,
    port: 993,
    implicitTls: true,
    uid,
    certFile: good.certFile,
    keyFile: good.keyFile,
    users: users(),
    authSocket,
  });
  const chain = path.join(dir, "chain.pem");
  const setChain = (untrusted: boolean) => {
    const c = untrusted ? bad : good;
    fs.writeFileSync(chain, fs.readFileSync(c.keyFile, "utf8") + fs.readFileSync(c.certFile, "utf8"), {
      mode: 0o600,
    });
  };
  setChain(false);
  const smtp = await startLabPostfix({
    name: "gmail",
    dir: path.join(dir, "postfix"),
    net,
    address: LAB.gmail,
    hostname: "smtp.gmail.com",
    probePort: 587,
    listeners: [
      `${LAB.gmail}:587 inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes` +
        " -o smtpd_tls_auth_only=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject" +
        " -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject",
    ],
    main: [
      `smtpd_tls_chain_files = ${chain}`,
      "smtpd_sasl_type = dovecot",
      `smtpd_sasl_path = ${authSocket}`,
      // Every domain is "the internet": one catch-all mailbox (regexp tables, postconf(5) virtual_mailbox_domains).
      "virtual_mailbox_domains = regexp:{{/./ internet}}",
      `virtual_mailbox_base = ${dir}`,
      // The lab's domains first (first match wins, regexp_table(5)): their MX is Cloudflare's.
      `virtual_mailbox_maps = regexp:{${cfPattern ? `{/@(${cfPattern})/ cloudflare/Maildir/}, ` : ""}{/./ internet/Maildir/}}`,
      `virtual_uid_maps = static:${uid}`,
      `virtual_gid_maps = static:${uid}`,
    ],
  });
  return {
    imap,
    smtp,
    maildir: (a) => path.join(home(a), "Maildir"),
    internet: path.join(internetHome, "Maildir"),
    toCloudflare: path.join(cloudflareHome, "Maildir"),
    authAttempts: () =>
      smtp
        .logText()
        .split("\n")
        .filter((l) => / sasl_method=| authentication failed/.test(l)).length,
    presentUntrusted(untrusted) {
      setChain(untrusted);
      smtp.reload();
    },
    setPassword(address, password) {
      boxes = boxes.map((b) => (b.address === address ? { ...b, password } : b));
      imap.setUsers(users());
    },
    async stop() {
      await Promise.all([imap.stop(), smtp.stop()]);
    },
  };
}
