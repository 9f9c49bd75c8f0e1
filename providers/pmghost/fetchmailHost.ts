/**
 * fetchmail on the PMG host: reading an rc file with the host's own fetchmail, and the daemon's
 * switches (START_DAEMON in /etc/default/fetchmail, the systemd unit Debian generates from its init
 * script). Only fixed commands run here; the one variable part, a temporary path, is quoted.
 */
import { SshError } from "../../lib/errors";
import { parseConfigDump, type DumpedRc } from "./configDump";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DEFAULTS_PATH,
  managedStartInEffect,
  startDaemon,
  withManagedStart,
  withoutManagedStart,
} from "./daemonDefaults";
import type { HostFiles } from "./files";
import { dumpDifferences, type FetchmailAccount } from "./fetchmailrc";
import { excerpt, shellCommand } from "./shell";

export const RC_PATH = "/etc/fetchmailrc";
/** Where PMG's own fetchmail API keeps its file, and links /etc/fetchmailrc to (reference 2.9). */
export const PMG_RC_PATH = "/etc/pmg/fetchmailrc";
/** PMG's fetchmail template: the override the program keeps its account in, and PMG's packaged default. */
export const RC_TEMPLATE_PATH = "/etc/pmg/templates/fetchmailrc.tt";
export const RC_TEMPLATE_DEFAULT = "/var/lib/pmg/templates/fetchmailrc.tt";

/**
 * What the host's fetchmail reads from rc text (`--configdump` parses and exits; it polls nothing).
 * The text goes on stdin (`-f -`, fetchmail(1): "-f -" reads the configuration from standard
 * input), so no copy of it, with its password, ever exists as a file: nothing to clean up when the
 * connection drops halfway (issue 14 item 8).
 */
export async function dumpText(files: HostFiles, text: string): Promise<DumpedRc> {
  const r = await files.client.exec(shellCommand("fetchmail", "--configdump", "-f", "-"), { stdin: text });
  if (r.code !== 0) {
    const said = excerpt(
      files.client.redact(r.stderr.replace(/^fetchmail: WARNING: Running as root is discouraged\.\n?/m, "")),
    );
    throw new SshError(
      "E_SSH_COMMAND",
      files.client.label,
      "check the fetchmail configuration with fetchmail --configdump",
      `fetchmail rejected it (exit ${r.code}): ${said}`,
      "install fetchmail on the PMG host if it is missing (PMG's pmg-api package depends on it: apt-get install fetchmail)",
    );
  }
  return parseConfigDump(r.stdout);
}

/**
 * Fetchmail is on every PMG (pmg-api debian/control: `Depends: ... fetchmail`), but a host that is
 * not quite a PMG, or one where it was removed, gets this message instead of a failing command.
 */
export async function requireFetchmail(files: HostFiles): Promise<void> {
  const r = await files.client.exec("command -v fetchmail");
  if (r.code !== 0)
    throw new SshError(
      "E_SSH_COMMAND",
      files.client.label,
      "find fetchmail",
      "fetchmail is not installed on the PMG host",
      "install it with `apt-get install fetchmail` (PMG's pmg-api package depends on it, so a PMG host normally has it)",
    );
}

/** Throws unless fetchmail reads the account in `text` exactly as declared; names differing fields, never values. */
export async function validateRc(files: HostFiles, text: string, account: FetchmailAccount): Promise<void> {
  const diffs = dumpDifferences(await dumpText(files, text), account);
  if (diffs.length > 0) {
    throw new SshError(
      "E_SSH_COMMAND",
      files.client.label,
      "check the rendered account with fetchmail --configdump",
      `fetchmail reads ${diffs.join(", ")} differently from what was rendered, so nothing was changed`,
      "this is a bug in homelab-mail's rendering; report it with the fetchmail version (fetchmail --version)",
    );
  }
}

/** The script that renders /etc/pmg/fetchmailrc with PMG's own writer, kept in the repository and sent on stdin. */
export const RENDER_SCRIPT = path.join(__dirname, "scripts", "fetchmail-render.pl");

/** /etc/pmg/fetchmailrc rendered by PMG's own code from the template; returns PMG's own entry count. */
export async function renderPmgRc(files: HostFiles): Promise<number> {
  const r = await files.client.run("perl -", {
    stdin: fs.readFileSync(RENDER_SCRIPT),
    label: "render /etc/pmg/fetchmailrc with PMG's writer (providers/pmghost/scripts/fetchmail-render.pl)",
    fix: "check /etc/pmg/templates/fetchmailrc.tt; PMG's fetchmail page (Configuration > Fetchmail) shows the same error",
  });
  return Number(r.stdout.trim().split("\n").pop() ?? 0);
}

/** The managed START_DAEMON line (see daemonDefaults.ts) and the unit enabled; true when either had to be switched on. */
export async function enableDaemon(files: HostFiles): Promise<boolean> {
  const changedDefaults = await setManagedStart(files, true);
  const enabled = (await files.client.exec("systemctl is-enabled fetchmail")).code === 0;
  if (!enabled)
    await files.client.run("systemctl enable fetchmail", {
      fix: "check that the fetchmail package is installed on the PMG host",
    });
  return changedDefaults || !enabled;
}

export async function daemonEnabled(files: HostFiles): Promise<boolean> {
  const defaults = (await files.readText(DEFAULTS_PATH)) ?? "";
  return (
    startDaemon(defaults) &&
    managedStartInEffect(defaults) &&
    (await files.client.exec("systemctl is-enabled fetchmail")).code === 0
  );
}

export async function restartDaemon(files: HostFiles, how: "restart" | "start" = "restart"): Promise<void> {
  await files.client.run(`systemctl ${how} fetchmail`, {
    fix: "see `journalctl -u fetchmail` on the PMG host",
  });
}

/** Takes the program's switch out; PMG's own line decides again (it is on while PMG has entries of its own). */
export async function releaseDaemon(files: HostFiles): Promise<void> {
  await setManagedStart(files, false);
  await files.client.run("systemctl restart fetchmail");
}

async function setManagedStart(files: HostFiles, on: boolean): Promise<boolean> {
  const st = await files.regularFile(DEFAULTS_PATH);
  const text = (await files.readText(DEFAULTS_PATH)) ?? "";
  const next = on ? withManagedStart(text) : withoutManagedStart(text);
  if (next === text && st !== undefined) return false;
  if (!on && st === undefined) return false;
  // Debian ships it 0644 root; owner and mode are set, never copied (issue 14 item 5).
  await files.write(DEFAULTS_PATH, next, { mode: 0o644, uid: 0, gid: 0 });
  return true;
}
