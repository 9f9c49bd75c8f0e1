/**
 * One Dovecot instance of the lab (Debian's Dovecot, `dovecot -F -c <conf>`) inside the lab's
 * network namespace, on its lab host's address: IMAP (STARTTLS) or IMAPS, users from a
 * passwd-file the lab can rewrite (Dovecot rereads it when it changes), and optionally an auth
 * socket for Postfix's SASL (Postfix SASL_README, "Dovecot SASL").
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startDaemon, type Daemon } from "../verify/bed/daemon";
import { tlsLogins } from "../verify/bed/dovecot";
import { tool } from "../verify/bed/tools";
import type { LabNet } from "./netns";

export interface LabMailUser {
  readonly login: string;
  readonly password: string;
  /** Home; mail is in `<home>/Maildir`. */
  readonly home: string;
}

export interface LabDovecotOptions {
  readonly name: string;
  readonly dir: string;
  readonly net: LabNet;
  readonly address: string;
  readonly port: number;
  readonly implicitTls: boolean;
  readonly uid: number;
  readonly certFile: string;
  readonly keyFile: string;
  readonly users: LabMailUser[];
  /** Path of a SASL auth socket for Postfix, when wanted. */
  readonly authSocket?: string;
}

export interface LabDovecot extends Daemon {
  /** Replaces the users (a new password takes effect at the next login). */
  setUsers(users: LabMailUser[]): void;
  logText(): string;
}

export async function startLabDovecot(o: LabDovecotOptions): Promise<LabDovecot> {
  for (const sub of ["run", "state"]) fs.mkdirSync(path.join(o.dir, sub), { recursive: true });
  const usersFile = path.join(o.dir, "users");
  const setUsers = (users: LabMailUser[]) => {
    for (const u of users) {
      fs.mkdirSync(path.join(u.home, "Maildir"), { recursive: true });
      execFileSync("chown", ["-R", `${o.uid}:${o.uid}`, u.home]);
    }
    fs.writeFileSync(
      usersFile + ".new",
      users.map((u) => `${u.login}:{PLAIN}${u.password}:${o.uid}:${o.uid}::${u.home}\n`).join(""),
      { mode: 0o640 },
    );
    execFileSync("chown", ["root:dovecot", usersFile + ".new"]);
    fs.renameSync(usersFile + ".new", usersFile);
  };
  setUsers(o.users);
  const log = path.join(o.dir, "dovecot.log");
  fs.writeFileSync(log, "");
  const conf = path.join(o.dir, "dovecot.conf");
  fs.writeFileSync(
    conf,
    [
      `base_dir = ${path.join(o.dir, "run")}`,
      `state_dir = ${path.join(o.dir, "state")}`,
      `instance_name = homelab-mail-lab-${o.name}`,
      "protocols = imap",
      `listen = ${o.address}`,
      "service imap-login {",
      "  inet_listener imap {",
      `    port = ${o.implicitTls ? 0 : o.port}`,
      "  }",
      "  inet_listener imaps {",
      `    port = ${o.implicitTls ? o.port : 0}`,
      "  }",
      "}",
      ...tlsLogins(o.certFile, o.keyFile),
      ...(o.authSocket
        ? ["service auth {", `  unix_listener ${o.authSocket} {`, "    mode = 0666", "  }", "}"]
        : []),
      "passdb {",
      "  driver = passwd-file",
      `  args = scheme=PLAIN ${usersFile}`,
      "}",
      "userdb {",
      "  driver = passwd-file",
      `  args = ${usersFile}`,
      "}",
      "mail_location = maildir:~/Maildir",
      `first_valid_uid = ${Math.min(o.uid, 1000)}`,
      `log_path = ${log}`,
      "",
    ].join("\n"),
  );
  const d = await startDaemon(
    `dovecot (${o.name})`,
    [...o.net.enter, tool("dovecot") ?? "dovecot", "-F", "-c", conf],
    () =>
      o.implicitTls
        ? o.net.connect(o.address, o.port).then((s) => (s.destroy(), true))
        : o.net.greets(o.address, o.port, /^\* OK /),
    { logFile: log },
  );
  return {
    ...d,
    stop: () => d.stop(),
    output: () => d.output(),
    setUsers,
    logText: () => fs.readFileSync(log, "utf8"),
  };
}
