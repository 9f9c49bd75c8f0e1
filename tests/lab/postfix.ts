/**
 * One Postfix instance of the lab (Debian's Postfix, `master -c <dir>`), inside the lab's network
 * namespace, listening on its lab host's address only, its queue and log in its own directory.
 * Used for "Gmail" (submission on 587) and "Stalwart" (SMTP on 25); PMG's Postfix is PMG's own
 * rendered configuration instead (pmg/host.ts).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startDaemon, type Daemon } from "../verify/bed/daemon";
import { SERVICES } from "../verify/bed/postfix";
import { tool } from "../verify/bed/tools";
import type { LabNet } from "./netns";

/** The services every instance needs (Debian's master.cf, without chroot): the verify bed's and the SMTP client. */
export const BASE_SERVICES = [...SERVICES, "smtp unix - - n - - smtp"];

export interface LabPostfixOptions {
  readonly name: string;
  readonly dir: string;
  readonly net: LabNet;
  readonly address: string;
  readonly hostname: string;
  /** Listening services (master.cf lines); the first one's port is the readiness probe. */
  readonly listeners: string[];
  readonly probePort: number;
  /** main.cf lines after the common ones. */
  readonly main: string[];
  /** Extra files in the config directory, by name. */
  readonly files?: Record<string, string>;
}

export interface LabPostfix extends Daemon {
  readonly conf: string;
  readonly log: string;
  /** The instance's log so far. */
  logText(): string;
  reload(): void;
  postconf(args: string[]): string;
}

export async function startLabPostfix(o: LabPostfixOptions): Promise<LabPostfix> {
  const conf = path.join(o.dir, "conf");
  const data = path.join(o.dir, "data");
  for (const d of [conf, data, path.join(o.dir, "queue")]) fs.mkdirSync(d, { recursive: true });
  const log = path.join(o.dir, "maillog");
  fs.writeFileSync(log, "");
  const postfixUid = Number(execFileSync("id", ["-u", "postfix"], { encoding: "utf8" }).trim());
  for (const p of [data, log]) fs.chownSync(p, postfixUid, -1);
  for (const [name, text] of Object.entries(o.files ?? {})) fs.writeFileSync(path.join(conf, name), text);
  fs.writeFileSync(
    path.join(conf, "main.cf"),
    [
      "compatibility_level = 3.6",
      `queue_directory = ${path.join(o.dir, "queue")}`,
      `data_directory = ${data}`,
      "mail_owner = postfix",
      "setgid_group = postdrop",
      `myhostname = ${o.hostname}`,
      "mydestination =",
      "alias_maps =",
      "alias_database =",
      `inet_interfaces = ${o.address}`,
      "inet_protocols = ipv4",
      "mynetworks = 127.0.0.0/8",
      "smtpd_peername_lookup = no",
      "smtp_host_lookup = dns",
      `maillog_file = ${log}`,
      `maillog_file_prefixes = ${o.dir}`,
      "biff = no",
      ...o.main,
      "",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(conf, "master.cf"), [...o.listeners, ...BASE_SERVICES, ""].join("\n"));
  const postconf = (args: string[]) =>
    execFileSync(tool("postconf") ?? "postconf", ["-c", conf, ...args], { encoding: "utf8" });
  // Inside the lab: Postfix refuses an inet_interfaces address this namespace does not have.
  const postfix = (cmd: string) =>
    execFileSync(o.net.enter[0], [...o.net.enter.slice(1), tool("postfix") ?? "postfix", "-c", conf, cmd], {
      stdio: "pipe",
    });
  postfix("check");
  const master = path.join(postconf(["-h", "daemon_directory"]).trim(), "master");
  const d = await startDaemon(
    `postfix (${o.name})`,
    [...o.net.enter, master, "-c", conf],
    () => o.net.greets(o.address, o.probePort, /^220 /),
    { logFile: log },
  );
  return {
    ...d,
    stop: () => d.stop(),
    output: () => d.output(),
    conf,
    log,
    logText: () => fs.readFileSync(log, "utf8"),
    reload: () => void postfix("reload"),
    postconf,
  };
}
