/**
 * The old rendering (fixtures/, captured from main before the fixes of issues 11 and 16) installed
 * on the lab's PMG host as the program used to leave it: the single-drop /etc/fetchmailrc with its
 * sendmail MDA, and PMG's default main.cf.in with the old SMARTHOST_PARAMETERS block appended.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "./lab";

const FIXTURES = path.join(__dirname, "fixtures");
const MAIN_CF_IN = path.join(__dirname, "..", "servers", "pmghost", "templates", "main.cf.in");

export async function installOldRendering(lab: Lab): Promise<void> {
  const bed = lab.pmgHost.bed;
  const rc = fs
    .readFileSync(path.join(FIXTURES, "old-fetchmailrc.txt"), "utf8")
    .replace("@APP_PASSWORD@", lab.appPassword);
  const block = fs.readFileSync(path.join(FIXTURES, "old-smarthost-parameters.txt"), "utf8");
  fs.writeFileSync(
    bed.path("etc/pmg/templates/main.cf.in"),
    `${fs.readFileSync(MAIN_CF_IN, "utf8")}\n${block}`,
  );
  fs.writeFileSync(bed.path("tmp/old-fetchmailrc"), rc, { mode: 0o600 });
  const r = await lab.pmgHost.sh(
    "rm -f /etc/fetchmailrc && install -m 600 -o fetchmail /tmp/old-fetchmailrc /etc/fetchmailrc && rm /tmp/old-fetchmailrc" +
      " && pmgconfig sync --restart 1 && systemctl restart fetchmail",
  );
  if (r.code !== 0) throw new Error(`installing the old rendering failed: ${r.stderr}${r.stdout}`);
}

/** Messages delivered to local users on the PMG host (local(8) into /var/mail/<user>), by user. */
export function pmgLocalMail(lab: Lab, id: string): Record<string, number> {
  const dir = lab.pmgHost.bed.path("var/mail");
  const out: Record<string, number> = {};
  for (const user of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const n = fs.readFileSync(path.join(dir, user), "utf8").split(`Message-ID: ${id}`).length - 1;
    if (n) out[`PMG local user ${user}`] = n;
  }
  return out;
}
