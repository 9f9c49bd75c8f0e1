// Postfix as the relay under test, from Debian, in a config directory of its own (`postfix -c`):
// loopback only, high ports, mynetworks 127.0.0.0/8 like PMG's trusted networks, STARTTLS offered
// with the bed's throwaway certificate, and delivery into the Maildirs Dovecot serves (virtual(8)).
// A second listener refuses every recipient, the way a relay answers a host it does not trust, and
// mail to the `held` addresses is accepted but never delivered.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startDaemon, type Daemon } from "./daemon";
import { greets } from "./net";
import { tool } from "./tools";

export interface PostfixOptions {
  readonly dir: string;
  readonly port: number;
  readonly refusingPort: number;
  /** address → Maildir path relative to `mailRoot`, e.g. `alice/Maildir/`. */
  readonly mailboxes: Record<string, string>;
  readonly mailRoot: string;
  /** Addresses accepted and then held in the queue, never delivered (as a quarantine would). */
  readonly held: string[];
  /** Owner of the Maildirs (Dovecot reads them as this uid). */
  readonly uid: number;
  readonly certFile: string;
  readonly keyFile: string;
}

/** The services every instance needs (Debian's master.cf, without chroot), but the SMTP client. */
export const SERVICES = [
  "pickup unix n - n 60 1 pickup",
  "cleanup unix n - n - 0 cleanup",
  "qmgr unix n - n 300 1 qmgr",
  "tlsmgr unix - - n 1000? 1 tlsmgr",
  "rewrite unix - - n - - trivial-rewrite",
  "bounce unix - - n - 0 bounce",
  "defer unix - - n - 0 bounce",
  "trace unix - - n - 0 bounce",
  "verify unix - - n - 1 verify",
  "flush unix n - n 1000? 0 flush",
  "proxymap unix - - n - - proxymap",
  "showq unix n - n - - showq",
  "error unix - - n - - error",
  "retry unix - - n - - error",
  "discard unix - - n - - discard",
  "virtual unix - n n - - virtual",
  "anvil unix - - n - 1 anvil",
  "scache unix - - n - 1 scache",
  "postlog unix-dgram n - n - 1 postlogd",
];

export async function startPostfix(o: PostfixOptions): Promise<Daemon> {
  const conf = path.join(o.dir, "conf");
  const data = path.join(o.dir, "data");
  for (const d of [conf, data, path.join(o.dir, "queue")]) fs.mkdirSync(d, { recursive: true });
  const log = path.join(o.dir, "maillog");
  fs.writeFileSync(log, "");
  for (const p of [data, log]) fs.chownSync(p, postfixUid(), -1);
  const domains = [...new Set(Object.keys(o.mailboxes).map((a) => a.split("@")[1]))];
  fs.writeFileSync(path.join(conf, "hold"), o.held.map((a) => `${a} HOLD\n`).join(""));
  fs.writeFileSync(
    path.join(conf, "vmailbox"),
    Object.entries(o.mailboxes)
      .map(([a, box]) => `${a} ${box}\n`)
      .join(""),
  );
  fs.writeFileSync(
    path.join(conf, "main.cf"),
    [
      "compatibility_level = 3.6",
      `queue_directory = ${path.join(o.dir, "queue")}`,
      `data_directory = ${data}`,
      "mail_owner = postfix",
      "setgid_group = postdrop",
      "myhostname = relay.verify.test",
      "mydestination =",
      "alias_maps =",
      "alias_database =",
      "inet_interfaces = 127.0.0.1",
      "inet_protocols = ipv4",
      "mynetworks = 127.0.0.0/8",
      "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
      `smtpd_recipient_restrictions = check_recipient_access texthash:${path.join(conf, "hold")}`,
      "smtpd_peername_lookup = no",
      "smtpd_tls_security_level = may",
      `smtpd_tls_chain_files = ${o.keyFile}, ${o.certFile}`,
      `virtual_mailbox_domains = ${domains.join(" ")}`,
      `virtual_mailbox_base = ${o.mailRoot}`,
      `virtual_mailbox_maps = texthash:${path.join(conf, "vmailbox")}`,
      `virtual_uid_maps = static:${o.uid}`,
      `virtual_gid_maps = static:${o.uid}`,
      // Not /dev/stdout: postlogd's stdout is not the master's, and a postlogd that cannot log blocks every daemon.
      `maillog_file = ${log}`,
      `maillog_file_prefixes = ${o.dir}`,
      "biff = no",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(conf, "master.cf"),
    [
      `127.0.0.1:${o.port} inet n - n - - smtpd`,
      `127.0.0.1:${o.refusingPort} inet n - n - - smtpd -o mynetworks=192.0.2.0/24 -o smtpd_relay_restrictions=permit_mynetworks,reject`,
      ...SERVICES,
      "",
    ].join("\n"),
  );
  // `postfix check` creates the queue directories with the owners and modes Postfix insists on.
  execFileSync(tool("postfix") ?? "postfix", ["-c", conf, "check"], { stdio: "pipe" });
  const master = path.join(
    execFileSync(tool("postconf") ?? "postconf", ["-c", conf, "-h", "daemon_directory"], {
      encoding: "utf8",
    }).trim(),
    "master",
  );
  // Without -w the master stays in the foreground, a child of the test process.
  const ready = async () => (await greets(o.port, /^220 /)) && greets(o.refusingPort, /^220 /);
  return startDaemon("postfix", [master, "-c", conf], ready, { logFile: log });
}

function postfixUid(): number {
  return Number(execFileSync("id", ["-u", "postfix"], { encoding: "utf8" }).trim());
}
