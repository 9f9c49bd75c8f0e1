/**
 * Builds the PMG host test bed's isolated root: PMG's paths (/etc/pmg, /var/lib/pmg/templates with
 * PMG's real default main.cf.in, /etc/postfix, /etc/default/fetchmail), a passwd with a throwaway
 * admin (uid 0, as PMG is administered as root) and the fetchmail user, a throwaway sshd host key
 * and client key, and mountpoints bed.sh fills. Everything lives under one temporary directory.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const HERE = __dirname;
export const USER = "pmgtest";
export const FETCHMAIL_UID = 991;
export const NOGROUP = 65534;

export interface BedRoot {
  readonly dir: string;
  /** `ssh-ed25519 AAAA...`, for homelab-mail:pmg.ssh.hostKey. */
  readonly hostKey: string;
  /** The client's private key (OpenSSH format), for homelab-mail:pmgSshPrivateKey. */
  readonly privateKey: string;
  readonly clientPublicKey: string;
}

/** Debian's /etc/default/fetchmail as the package ships it. */
const DEFAULT_FETCHMAIL = `# This file will be used to declare some vars for fetchmail
#
# Uncomment the following if you don't want localized log messages
# export LC_ALL=C

# If you want to specify any additional OPTION to the start
# scripts specify them here
# OPTIONS=...

# Declare here if we want to start fetchmail. 'yes' or 'no'
START_DAEMON=no
`;

const sshdConfig = (
  port: number,
) => `# PMG host test bed (tests/servers/pmghost): loopback only, keys only, one throwaway user.
Port ${port}
ListenAddress 127.0.0.1
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers ${USER}
UsePAM no
StrictModes yes
PrintMotd no
LogLevel VERBOSE
MaxStartups 50
MaxSessions 10
Subsystem sftp internal-sftp
`;

function write(root: string, rel: string, text: string | Buffer, mode = 0o644, uid = 0, gid = 0): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text, { mode });
  fs.chmodSync(p, mode);
  fs.chownSync(p, uid, gid);
}

function dir(root: string, rel: string, mode = 0o755, uid = 0, gid = 0): void {
  const p = path.join(root, rel);
  fs.mkdirSync(p, { recursive: true });
  fs.chmodSync(p, mode);
  fs.chownSync(p, uid, gid);
}

function keygen(file: string, comment: string): { priv: string; pub: string } {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], {
    stdio: "ignore",
  });
  return { priv: fs.readFileSync(file, "utf8"), pub: fs.readFileSync(`${file}.pub`, "utf8").trim() };
}

export function buildRoot(port: number): BedRoot {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pmghost-bed-"));
  fs.chmodSync(root, 0o755);
  for (const d of ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
    const host = `/${d}`;
    if (!fs.existsSync(host)) continue;
    if (fs.lstatSync(host).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(host), path.join(root, d));
    else dir(root, d);
  }
  for (const d of [
    "dev",
    "proc",
    "etc",
    "etc/pmg",
    "etc/postfix",
    "etc/default",
    "etc/ssh",
    "var/lib/pmg/templates",
    "var/log/testbed",
    "var/lib/testbed",
    "run/sshd",
    "home/pmgtest",
  ])
    dir(root, d);
  dir(root, "root", 0o700);
  dir(root, "tmp", 0o1777);
  dir(root, "home/pmgtest/.ssh", 0o700);
  dir(root, "var/lib/fetchmail", 0o700, FETCHMAIL_UID, NOGROUP);

  // Debian reaches awk, which and friends through /etc/alternatives: mirror those links (only links).
  dir(root, "etc/alternatives");
  for (const name of fs.existsSync("/etc/alternatives") ? fs.readdirSync("/etc/alternatives") : []) {
    const link = path.join("/etc/alternatives", name);
    if (fs.lstatSync(link).isSymbolicLink())
      fs.symlinkSync(fs.readlinkSync(link), path.join(root, "etc/alternatives", name));
  }
  write(
    root,
    "etc/passwd",
    [
      "root:x:0:0:root:/root:/bin/bash",
      `${USER}:x:0:0:throwaway test admin:/home/${USER}:/bin/bash`,
      "sshd:x:990:65534::/run/sshd:/usr/sbin/nologin",
      `fetchmail:x:${FETCHMAIL_UID}:${NOGROUP}::/var/lib/fetchmail:/bin/false`,
      "postfix:x:992:992::/var/spool/postfix:/usr/sbin/nologin",
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
      "",
    ].join("\n"),
  );
  write(root, "etc/group", "root:x:0:\npostfix:x:992:\npostdrop:x:993:\nnogroup:x:65534:\n");
  write(
    root,
    "etc/shadow",
    ["root", USER, "sshd", "fetchmail", "postfix", "nobody"]
      .map((u) => `${u}:*:19000:0:99999:7:::`)
      .join("\n") + "\n",
    0o640,
  );
  write(root, "etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files\n");
  write(root, "etc/hosts", "127.0.0.1 localhost\n127.0.1.1 pmg.lab.example.net pmg\n");
  write(root, "etc/hostname", "pmg\n");
  write(root, "etc/resolv.conf", "");
  write(root, "etc/aliases", "postmaster: root\n");
  write(root, "etc/default/fetchmail", DEFAULT_FETCHMAIL);
  write(
    root,
    "etc/pmg/testbed.conf",
    "smarthost=smtp.gmail.com\nsmarthostport=587\ntls=1\nint_ip=127.0.0.1\next_port=25\n",
  );
  write(root, "etc/postfix/master.cf", fs.readFileSync("/usr/share/postfix/master.cf.dist"));
  write(root, "etc/postfix/dynamicmaps.cf", fs.readFileSync("/usr/share/postfix/dynamicmaps.cf"));
  for (const t of ["main.cf.in", "fetchmailrc.tt"])
    write(root, `var/lib/pmg/templates/${t}`, fs.readFileSync(path.join(HERE, "templates", t)));
  // PMG's perl modules, as test doubles (perl/): /etc/perl is first on Debian perl's @INC.
  for (const m of ["PVE/INotify.pm", "PMG/Config.pm", "PMG/Fetchmail.pm"])
    write(root, `etc/perl/${m}`, fs.readFileSync(path.join(HERE, "perl", m)));
  write(root, "etc/ssh/sshd_config", sshdConfig(port));
  for (const d of ["pmgconfig", "systemctl"])
    write(root, `.testbed/bin/${d}`, fs.readFileSync(path.join(HERE, "doubles", d)), 0o755);
  fs.chmodSync(path.join(root, ".testbed"), 0o755);

  const keys = fs.mkdtempSync(path.join(os.tmpdir(), "pmghost-keys-"));
  try {
    const host = keygen(path.join(keys, "host"), "pmghost-bed-host");
    const client = keygen(path.join(keys, "client"), "pmghost-bed-client");
    write(root, "etc/ssh/ssh_host_ed25519_key", host.priv, 0o600);
    write(root, "etc/ssh/ssh_host_ed25519_key.pub", `${host.pub}\n`);
    write(root, "home/pmgtest/.ssh/authorized_keys", `${client.pub}\n`, 0o600);
    const [type, blob] = host.pub.split(" ");
    return { dir: root, hostKey: `${type} ${blob}`, privateKey: client.priv, clientPublicKey: client.pub };
  } finally {
    fs.rmSync(keys, { recursive: true, force: true });
  }
}
