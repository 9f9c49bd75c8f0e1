/**
 * /etc/fetchmailrc as FetchmailConfig owns it: rendered from the inputs and the configured password,
 * written only when it differs (after the host's fetchmail has read the new file back intact),
 * with the daemon switched on, and restarted only for a new file.
 */
import { systemSettings } from "../context";
import { dumpText, enableDaemon, restartDaemon, validateRc, RC_PATH, PMG_RC_PATH } from "./fetchmailHost";
import { dumpDifferences, renderFetchmailrc, type FetchmailRcValues } from "./fetchmailrc";
import type { HostFiles } from "./files";
import { sha256, type HostInputs } from "./hostResource";
import type { PmgHostSettings } from "./settings";

export type FetchmailInputs = HostInputs & {
  server: string;
  port: number;
  user: string;
  folder: string;
  pollSeconds: number;
};
export type FetchmailOutputs = FetchmailInputs & {
  sha256: string | null;
  writes: number;
  takenOverBy: string | null;
  daemonEnabled: boolean;
  permissionsOk: boolean;
};

export const FIELDS = ["server", "port", "user", "folder", "pollSeconds"] as const;
export const DEFAULTS = { sshPort: 22, port: 993, folder: "INBOX", pollSeconds: 120 };

async function password(): Promise<string> {
  const p = (await systemSettings<PmgHostSettings>("pmghost")).fetchmailPassword;
  if (!p)
    throw new Error(
      "pmghost: homelab-mail:gmailFetchmailPassword is not set; run: pulumi config set --secret homelab-mail:gmailFetchmailPassword",
    );
  return p;
}

export async function render(i: FetchmailInputs): Promise<{ text: string; values: FetchmailRcValues }> {
  const values = {
    server: i.server,
    port: i.port,
    user: i.user,
    folder: i.folder,
    pollSeconds: i.pollSeconds,
    password: await password(),
  };
  return { text: renderFetchmailrc(values), values };
}

export const pick = (i: FetchmailInputs): FetchmailInputs => ({
  sshHost: i.sshHost,
  sshPort: i.sshPort,
  server: i.server,
  port: i.port,
  user: i.user,
  folder: i.folder,
  pollSeconds: i.pollSeconds,
});

/** Writes the rendered file if it differs (validated by fetchmail first), then makes sure the daemon runs it. */
export async function converge(
  files: HostFiles,
  i: FetchmailInputs,
  writes: number,
): Promise<FetchmailOutputs> {
  const { text, values } = await render(i);
  const [current, st, ids] = await Promise.all([
    files.read(RC_PATH),
    files.lstat(RC_PATH),
    files.userIds("fetchmail"),
  ]);
  const same =
    st?.kind === "file" && current?.toString("utf8") === text && st.mode === 0o600 && st.uid === ids.uid;
  if (!same) {
    await files.write(RC_PATH, text, {
      mode: 0o600,
      uid: ids.uid,
      gid: ids.gid,
      validate: (temp) => validateRc(files, temp, values),
    });
  }
  const switchedOn = await enableDaemon(files);
  // Restart only for a new file; a daemon just switched on for an unchanged file only needs starting.
  if (!same) await restartDaemon(files);
  else if (switchedOn) await restartDaemon(files, "start");
  return {
    ...pick(i),
    sha256: sha256(text),
    writes: writes + (same ? 0 : 1),
    takenOverBy: null,
    daemonEnabled: true,
    permissionsOk: true,
  };
}

export async function takeover(files: HostFiles): Promise<string | undefined> {
  const st = await files.lstat(RC_PATH);
  return st?.kind === "symlink" ? files.readlink(RC_PATH) : undefined;
}

export const takenOverDetail = (target: string) =>
  `is a symlink to ${target}: PMG's own fetchmail API has taken it over (someone added an entry under Configuration > Fetchmail)` +
  (target === PMG_RC_PATH ? "" : ", or it was linked by hand") +
  `; overwriting it would leave PMG's entries unpolled and PMG would re-link it on its next fetchmail change`;

/** Which declared fields an existing file disagrees on, by name only (never values: one is a password). */
export async function differingFields(
  files: HostFiles,
  current: string,
  inputs: FetchmailInputs,
): Promise<string> {
  const dump = await dumpText(files, current).catch(() => undefined);
  if (!dump) return "fetchmail cannot read it as a single account";
  const { values } = await render(inputs);
  const diffs = dumpDifferences(dump, values);
  return diffs.length > 0 ? `differs in ${diffs.join(", ")}` : "same settings, different text";
}
