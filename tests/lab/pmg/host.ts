/**
 * "PMG" in the lab: the PMG host test bed (tests/servers/pmghost: real sshd in a chroot and mount
 * namespace, real fetchmail as user `fetchmail`) moved into the lab's network namespace, plus
 * what a PMG host runs there: Debian's Postfix from PMG's own rendered main.cf and master.cf,
 * Debian's OpenDKIM, and the filter stand-in (filter.js). Its `pmgconfig sync` is the lab's
 * (./pmgconfig): it renders PMG's templates from the PMG stand-in's state and reloads for real,
 * and its `systemctl` (./systemctl) starts and reloads the daemons for real.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { startPmgHostBed, type PmgHostBed } from "../../servers/pmghost/server";
import type { PmgTestServer } from "../../servers/pmg/server";
import type { PmgState } from "../../servers/pmg/state";
import { LAB, PMG_PORTS } from "../addresses";
import type { LabCa } from "../ca";
import type { LabNet } from "../netns";

const HERE = __dirname;
const MAIN_CF_IN = path.join(HERE, "..", "..", "servers", "pmghost", "templates", "main.cf.in");

export interface LabPmgHost {
  readonly bed: PmgHostBed;
  /** Runs `pmgconfig sync --restart 1` on the host, as PMG's API does after a configuration change. */
  sync(): Promise<void>;
  /** Postfix's log on the PMG host. */
  maillog(): string;
  /** fetchmail's log on the PMG host. */
  fetchmailLog(): string;
  /** Wakes the fetchmail daemon for one poll now (fetchmail(1): SIGUSR1 to a daemon not run as root). */
  pollNow(): Promise<boolean>;
  /** Runs a command on the host (its root, namespaces). */
  sh(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/** The PMG stand-in's state as the lab's pmgconfig reads it. */
export function stateDump(s: PmgState): Record<string, unknown> {
  const obj = (m: Map<string, unknown>) => Object.fromEntries(m);
  return {
    int_ip: LAB.pmg,
    mail: obj(s.mail),
    admin: obj(s.admin),
    mynetworks: obj(s.mynetworks),
    domains: obj(s.domains),
    dkimDomains: obj(s.dkimDomains),
    transport: obj(s.transport),
    dkimKeys: obj(s.dkimKeys),
    fetchmail: obj(s.fetchmail),
  };
}

const id = (args: string[]) => Number(execFileSync("id", args, { encoding: "utf8" }).trim());
const gid = (group: string) =>
  Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]);

export async function startLabPmgHost(o: {
  dir: string;
  net: LabNet;
  ca: LabCa;
  pmg: PmgTestServer;
}): Promise<LabPmgHost> {
  const bed = await startPmgHostBed({ netns: o.net.nsPath });
  const children: ChildProcess[] = [];
  let stateServer: net.Server | undefined;
  const close = async () => {
    for (const c of children) c.kill("SIGKILL");
    await new Promise<void>((r) => (stateServer ? stateServer.close(() => r()) : r()));
    await bed.close();
  };
  try {
    const at = (rel: string) => bed.path(rel);
    const write = (rel: string, text: string | Buffer, mode = 0o644) => {
      fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
      fs.writeFileSync(at(rel), text, { mode });
      fs.chmodSync(at(rel), mode);
    };
    // This machine's Postfix binaries are setgid to its postdrop group: the host's users and groups
    // must carry the same ids (the bed's own are placeholders).
    const pf = { uid: id(["-u", "postfix"]), gid: id(["-g", "postfix"]), postdrop: gid("postdrop") };
    write(
      "etc/passwd",
      fs
        .readFileSync(at("etc/passwd"), "utf8")
        .replace(/^postfix:x:\d+:\d+:/m, `postfix:x:${pf.uid}:${pf.gid}:`),
    );
    write("etc/group", `root:x:0:\npostfix:x:${pf.gid}:\npostdrop:x:${pf.postdrop}:\nnogroup:x:65534:\n`);
    write("etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n");
    write("etc/resolv.conf", `nameserver ${LAB.dns}\n`);
    write("etc/hosts", `127.0.0.1 localhost\n${LAB.pmg} pmg.lab.example.net pmg\n`);
    write("etc/services", fs.readFileSync("/etc/services"));
    // What the bed's PMG::Config double (tests/servers/pmghost/perl) gives PMG's fetchmail writer.
    write("etc/pmg/testbed.conf", `int_ip=${LAB.pmg}\next_port=${PMG_PORTS.external}\n`);
    // The lab CA is this host's whole system trust store (Debian's bundle path, which OpenSSL's
    // default /usr/lib/ssl/cert.pem links to).
    write("etc/ssl/certs/ca-certificates.crt", fs.readFileSync(o.ca.caFile));
    const own = o.ca.issue("pmg", ["pmg.lab.example.net"]);
    write(
      "etc/pmg/pmg-tls.pem",
      fs.readFileSync(own.keyFile, "utf8") + fs.readFileSync(own.certFile, "utf8"),
      0o600,
    );
    for (const f of ["postfix-files", "dynamicmaps.cf", "post-install", "postfix-script", "makedefs.out"])
      if (fs.existsSync(`/etc/postfix/${f}`))
        write(
          `etc/postfix/${f}`,
          fs.readFileSync(`/etc/postfix/${f}`),
          fs.statSync(`/etc/postfix/${f}`).mode & 0o777,
        );
    for (const d of ["postfix-files.d", "dynamicmaps.cf.d"])
      fs.mkdirSync(at(`etc/postfix/${d}`), { recursive: true });
    for (const f of ["postscreen_access", "clientaccess"]) write(`etc/postfix/${f}`, "");
    for (const f of ["senderaccess", "rcptaccess"]) write(`etc/postfix/${f}`, "");
    for (const d of [
      "var/spool/postfix",
      "var/lib/postfix",
      "etc/opendkim",
      "etc/pmg/dkim",
      "run/lab",
      "etc/pmg/templates",
    ])
      fs.mkdirSync(at(d), { recursive: true });
    fs.chownSync(at("var/lib/postfix"), pf.uid, pf.gid);
    // Local delivery (local(8), mail_spool_directory): where the old rendering's mail ended up.
    fs.mkdirSync(at("var/mail"), { recursive: true });
    fs.chmodSync(at("var/mail"), 0o1777);
    write("var/log/fetchmail.log", "", 0o644);
    fs.chownSync(at("var/log/fetchmail.log"), Number(fs.statSync(at("var/lib/fetchmail")).uid), -1);
    write("var/log/mail.log", "");
    write("var/lib/pmg/templates/main.cf.in", fs.readFileSync(MAIN_CF_IN));
    for (const t of ["master.cf.in", "fetchmailrc.tt"])
      write(`var/lib/pmg/templates/${t}`, fs.readFileSync(path.join(HERE, "templates", t)));
    write(
      "etc/opendkim.conf",
      [
        "# lab (tests/lab/pmg/host.ts): signs what pmgconfig's tables name, for the filter's trusted reinjection",
        "Syslog no",
        "Mode s",
        "Socket inet:8891@127.0.0.1",
        "KeyTable file:/etc/opendkim/KeyTable",
        "SigningTable refile:/etc/opendkim/SigningTable",
        "Canonicalization relaxed/relaxed",
        "",
      ].join("\n"),
    );
    write("etc/opendkim/KeyTable", "");
    write("etc/opendkim/SigningTable", "");
    for (const tool of ["pmgconfig", "systemctl"])
      write(`.testbed/bin/${tool}`, fs.readFileSync(path.join(HERE, tool)), 0o755);

    // PMG's configuration, served from the stand-in's live state to the host's pmgconfig.
    const sock = at("run/lab/pmg-state.sock");
    stateServer = net.createServer((c) => c.end(JSON.stringify(stateDump(o.pmg.state))));
    await new Promise<void>((r) => stateServer!.listen(sock, () => r()));

    const filter = spawn(
      "setpriv",
      ["--pdeathsig", "KILL", ...o.net.enter, process.execPath, path.join(HERE, "filter.js")],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    children.push(filter);
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      filter.stdout!.on(
        "data",
        (d: Buffer) => (seen += (String(d).match(/ready/g) ?? []).length) >= 2 && resolve(),
      );
      filter.once("exit", (c) => reject(new Error(`lab: the PMG filter stand-in exited (${c})`)));
    });

    const sh = (cmd: string) => bed.sh(cmd);
    const must = async (cmd: string) => {
      const r = await sh(cmd);
      if (r.code !== 0) throw new Error(`lab PMG host: ${cmd} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    };
    // Postfix logs to a file (no syslog in the bed), read by the scenarios and `npm run lab`.
    await must("pmgconfig sync --restart 0");
    await must("postfix check && systemctl start postfix && systemctl start opendkim");
    for (let i = 0; !(await o.net.greets(LAB.pmg, PMG_PORTS.internal, /^220 /)); i++) {
      if (i > 100)
        throw new Error(`lab PMG host: Postfix did not answer on ${LAB.pmg}:${PMG_PORTS.internal}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const read = (rel: string) => (fs.existsSync(at(rel)) ? fs.readFileSync(at(rel), "utf8") : "");
    return {
      bed,
      async sync() {
        await must("pmgconfig sync --restart 1");
      },
      maillog: () => read("var/log/mail.log"),
      fetchmailLog: () => read("var/log/fetchmail.log"),
      async pollNow() {
        const pid = read("var/run/fetchmail/fetchmail.pid").split("\n")[0].trim();
        if (!pid) return false;
        return (await sh(`kill -USR1 ${pid}`)).code === 0;
      },
      sh,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
