// Where the Debian tools of the verify bed are, and what is missing to run it at all.
import * as fs from "node:fs";
import * as path from "node:path";

const DIRS = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/local/sbin"].filter(
  Boolean,
);

/** The absolute path of `name`, searching PATH and the sbin directories (not always on a CI PATH). */
export function tool(name: string): string | undefined {
  for (const dir of DIRS) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next directory
    }
  }
  return undefined;
}

/** Debian packages per tool, as .ci/run installs them. */
const PACKAGES: Record<string, string> = {
  postfix: "postfix",
  postconf: "postfix",
  dovecot: "dovecot-imapd",
  named: "bind9",
  openssl: "openssl",
  setpriv: "util-linux",
};

/** Why the bed cannot run here, or [] when it can. */
export function missingPrerequisites(): string[] {
  const missing = Object.keys(PACKAGES)
    .filter((t) => !tool(t))
    .map((t) => `${t} (Debian package ${PACKAGES[t]})`);
  if (tool("dovecot") && !fs.existsSync("/usr/lib/dovecot/imap")) {
    missing.push("Dovecot's IMAP server (Debian package dovecot-imapd)");
  }
  if (process.getuid?.() !== 0) missing.push("root (Postfix and Dovecot switch to their own users)");
  return missing;
}
