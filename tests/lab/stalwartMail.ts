/**
 * "Stalwart"'s mail side in the lab: an SMTP receiver on the Stalwart host's port 25 that delivers
 * into one mailbox per account, and IMAP (STARTTLS on 143) to read each with that account's
 * password. The accounts and addresses are what the Stalwart stand-in holds after the deployment;
 * like Stalwart, it refuses a recipient no account has ("550 5.1.2 Mailbox does not exist",
 * Stalwart crates/smtp inbound rcpt.rs) rather than accepting and losing it.
 */
import * as path from "node:path";
import { LAB } from "./addresses";
import type { LabCa } from "./ca";
import { startLabDovecot, type LabDovecot } from "./dovecot";
import type { LabNet } from "./netns";
import { startLabPostfix, type LabPostfix } from "./postfix";

export interface StalwartAccount {
  readonly name: string;
  readonly addresses: string[];
  readonly password: string;
}

export interface LabStalwartMail {
  readonly smtp: LabPostfix;
  readonly imap: LabDovecot;
  readonly imapPort: number;
  readonly caFile: string;
  maildir(account: string): string;
  stop(): Promise<void>;
}

export async function startStalwartMail(opts: {
  dir: string;
  net: LabNet;
  ca: LabCa;
  uid: number;
  accounts: StalwartAccount[];
}): Promise<LabStalwartMail> {
  const { dir, net, ca, uid, accounts } = opts;
  const cert = ca.issue("stalwart", ["mail.lab.local", LAB.stalwart]);
  const mailRoot = path.join(dir, "mail");
  const domains = [...new Set(accounts.flatMap((a) => a.addresses.map((x) => x.split("@")[1])))];
  const imap = await startLabDovecot({
    name: "stalwart",
    dir: path.join(dir, "dovecot"),
    net,
    address: LAB.stalwart,
    port: 143,
    implicitTls: false,
    uid,
    certFile: cert.certFile,
    keyFile: cert.keyFile,
    users: accounts.map((a) => ({ login: a.name, password: a.password, home: path.join(mailRoot, a.name) })),
  });
  const smtp = await startLabPostfix({
    name: "stalwart",
    dir: path.join(dir, "postfix"),
    net,
    address: LAB.stalwart,
    hostname: "mail.lab.local",
    probePort: 25,
    listeners: [`${LAB.stalwart}:25 inet n - n - - smtpd`],
    files: {
      vmailbox: accounts.flatMap((a) => a.addresses.map((x) => `${x} ${a.name}/Maildir/\n`)).join(""),
    },
    main: [
      "smtpd_relay_restrictions = reject_unauth_destination",
      `smtpd_tls_chain_files = ${cert.keyFile}, ${cert.certFile}`,
      "smtpd_tls_security_level = may",
      `virtual_mailbox_domains = ${domains.join(" ")}`,
      `virtual_mailbox_base = ${mailRoot}`,
      `virtual_mailbox_maps = texthash:${path.join(dir, "postfix", "conf", "vmailbox")}`,
      `virtual_uid_maps = static:${uid}`,
      `virtual_gid_maps = static:${uid}`,
    ],
  });
  return {
    smtp,
    imap,
    imapPort: 143,
    caFile: ca.caFile,
    maildir: (account) => path.join(mailRoot, account, "Maildir"),
    async stop() {
      await Promise.all([imap.stop(), smtp.stop()]);
    },
  };
}
