/**
 * fetchmail on the PMG host: reading an rc file with the host's own fetchmail, and the daemon's
 * switches (START_DAEMON in /etc/default/fetchmail, the systemd unit Debian generates from its init
 * script). Only fixed commands run here; the one variable part, a temporary path, is quoted.
 */
import { SshError } from "../../lib/errors";
import { parseConfigDump, type DumpedRc } from "./configDump";
import { DEFAULTS_PATH, startDaemon, withStartDaemon } from "./daemonDefaults";
import type { HostFiles } from "./files";
import { dumpDifferences, type FetchmailRcValues } from "./fetchmailrc";
import { excerpt, shellCommand } from "./shell";

export const RC_PATH = "/etc/fetchmailrc";
/** Where PMG's own fetchmail API keeps its file, and links /etc/fetchmailrc to (reference 2.9). */
export const PMG_RC_PATH = "/etc/pmg/fetchmailrc";

/** What the host's fetchmail reads from an rc file it owns (`--configdump` parses and exits; it polls nothing). */
export async function dumpRc(files: HostFiles, path: string): Promise<DumpedRc> {
  const r = await files.client.exec(shellCommand("fetchmail", "--configdump", "-f", path));
  if (r.code !== 0) {
    const said = excerpt(
      files.client.redact(r.stderr.replace(/^fetchmail: WARNING: Running as root is discouraged\.\n?/m, "")),
    );
    throw new SshError(
      "E_SSH_COMMAND",
      files.client.label,
      `check ${path} with fetchmail --configdump`,
      `fetchmail rejected it (exit ${r.code}): ${said}`,
    );
  }
  return parseConfigDump(r.stdout);
}

/** The rc text as fetchmail reads it, from a private copy in /tmp (fetchmail insists on owning the file it reads). */
export function dumpText(files: HostFiles, text: string): Promise<DumpedRc> {
  return files.withTemp("/tmp", text, (path) => dumpRc(files, path));
}

/** Throws unless fetchmail reads `path` back as exactly `values`; names differing fields, never values. */
export async function validateRc(files: HostFiles, path: string, values: FetchmailRcValues): Promise<void> {
  const diffs = dumpDifferences(await dumpRc(files, path), values);
  if (diffs.length > 0) {
    throw new SshError(
      "E_SSH_COMMAND",
      files.client.label,
      `check the new ${RC_PATH} with fetchmail --configdump`,
      `fetchmail reads ${diffs.join(", ")} differently from what was rendered, so the old file was kept`,
      "this is a bug in homelab-mail's rendering; report it with the fetchmail version (fetchmail --version)",
    );
  }
}

/** START_DAEMON=yes and the unit enabled; true when either had to be switched on. */
export async function enableDaemon(files: HostFiles): Promise<boolean> {
  const changedDefaults = await setStartDaemon(files, true);
  const enabled = (await files.client.exec("systemctl is-enabled fetchmail")).code === 0;
  if (!enabled)
    await files.client.run("systemctl enable fetchmail", {
      fix: "check that the fetchmail package is installed on the PMG host",
    });
  return changedDefaults || !enabled;
}

export async function daemonEnabled(files: HostFiles): Promise<boolean> {
  const defaults = (await files.readText(DEFAULTS_PATH)) ?? "";
  return startDaemon(defaults) && (await files.client.exec("systemctl is-enabled fetchmail")).code === 0;
}

export async function restartDaemon(files: HostFiles, how: "restart" | "start" = "restart"): Promise<void> {
  await files.client.run(`systemctl ${how} fetchmail`, {
    fix: "see `journalctl -u fetchmail` on the PMG host",
  });
}

/** Stops and disables the daemon, as Debian ships it (START_DAEMON=no). */
export async function disableDaemon(files: HostFiles): Promise<void> {
  await files.client.run("systemctl stop fetchmail");
  await files.client.run("systemctl disable fetchmail");
  await setStartDaemon(files, false);
}

async function setStartDaemon(files: HostFiles, yes: boolean): Promise<boolean> {
  const text = await files.readText(DEFAULTS_PATH);
  if (text !== undefined && startDaemon(text) === yes) return false;
  if (text === undefined && !yes) return false;
  const st = await files.lstat(DEFAULTS_PATH);
  await files.write(DEFAULTS_PATH, withStartDaemon(text ?? "", yes), {
    mode: st?.mode ?? 0o644,
    uid: st?.uid ?? 0,
    gid: st?.gid ?? 0,
  });
  return true;
}
