/**
 * FetchmailConfig's work on the host, the PMG way (README "The PMG host"): the declared account is a
 * block in PMG's fetchmail template override (/etc/pmg/templates/fetchmailrc.tt, mode 0600 root: it
 * holds the password), PMG's own writer renders /etc/pmg/fetchmailrc from it with PMG's GUI entries,
 * /etc/fetchmailrc is PMG's link to that file, and the program's own START_DAEMON line keeps the
 * daemon on whatever PMG's entry count.
 */
import { systemSettings } from "../context";
import { adoptionRefused, adoptExisting, sha256, type HostInputs } from "./hostResource";
import { clusterRole, notMasterDetail } from "./cluster";
import type { DumpedRc } from "./configDump";
import {
  dumpText,
  enableDaemon,
  PMG_RC_PATH,
  RC_PATH,
  RC_TEMPLATE_DEFAULT,
  RC_TEMPLATE_PATH,
  renderPmgRc,
  requireFetchmail,
  restartDaemon,
  validateRc,
} from "./fetchmailHost";
import {
  dumpDifferences,
  dumpedAccount,
  findAccountBlock,
  intervalFor,
  renderAccountBlock,
  withAccountBlock,
  type FetchmailAccount,
} from "./fetchmailrc";
import type { HostFiles } from "./files";
import type { PmgHostSettings } from "./settings";
import { shellCommand } from "./shell";
import { SshError } from "../../lib/errors";

export type FetchmailInputs = HostInputs & {
  server: string;
  port: number;
  user: string;
  folder: string;
  pollSeconds: number;
  localNames: string[];
  fallbackRecipient: string;
  envelope: string;
};
export type FetchmailOutputs = FetchmailInputs & {
  /** SHA-256 of the managed block as written (secret: it holds the password). */
  sha256: string | null;
  writes: number;
  takenOverBy: string | null;
  daemonEnabled: boolean;
  permissionsOk: boolean;
  pmgAccounts: number;
};

export const FIELDS = [
  "server",
  "port",
  "user",
  "folder",
  "pollSeconds",
  "localNames",
  "fallbackRecipient",
  "envelope",
] as const;
export const DEFAULTS = { sshPort: 22, port: 993, folder: "INBOX", pollSeconds: 300, envelope: "none" };

async function password(): Promise<string> {
  const p = (await systemSettings<PmgHostSettings>("pmghost")).fetchmailPassword;
  if (!p)
    throw new Error(
      "pmghost: homelab-mail:gmailFetchmailPassword is not set; run: pulumi config set --secret homelab-mail:gmailFetchmailPassword",
    );
  return p;
}

export async function account(i: FetchmailInputs): Promise<FetchmailAccount> {
  return {
    server: i.server,
    port: i.port,
    user: i.user,
    password: await password(),
    folder: i.folder,
    interval: intervalFor(i.pollSeconds),
    localNames: i.localNames,
    fallback: i.fallbackRecipient,
    envelope: i.envelope,
  };
}

/** The block's text, for the hash that shows a rotated password or a changed declaration. */
export async function blockText(i: FetchmailInputs): Promise<string> {
  return renderAccountBlock(await account(i)).join("\n");
}

/** The block as fetchmail alone would read it (PMG's template variables filled with placeholders). */
export function checkText(a: FetchmailAccount): string {
  return ["set daemon 300", ...renderAccountBlock(a, "127.0.0.1/25"), ""].join("\n");
}

export const pick = (i: FetchmailInputs): FetchmailInputs => ({
  sshHost: i.sshHost,
  sshPort: i.sshPort,
  server: i.server,
  port: i.port,
  user: i.user,
  folder: i.folder,
  pollSeconds: i.pollSeconds,
  localNames: i.localNames,
  fallbackRecipient: i.fallbackRecipient,
  envelope: i.envelope,
});

function damaged(files: HostFiles, reason: string): SshError {
  return new SshError(
    "E_SSH_FILE",
    files.client.label,
    `edit the managed account in ${RC_TEMPLATE_PATH}`,
    reason,
    `remove the homelab-mail marker lines and what is between them by hand (keep PMG's "# proxmox settings" marker), then run pulumi up`,
  );
}

async function pmgDefaultTemplate(files: HostFiles): Promise<string> {
  const text = await files.readText(RC_TEMPLATE_DEFAULT);
  if (text === undefined)
    throw new SshError(
      "E_SSH_FILE",
      files.client.label,
      `read ${RC_TEMPLATE_DEFAULT}`,
      "it does not exist",
      "homelab-mail:pmg.ssh.host must be a Proxmox Mail Gateway host (PMG ships this template in pmg-api)",
    );
  return text;
}

/** What /etc/fetchmailrc is when it is not PMG's link to /etc/pmg/fetchmailrc; null when it is. */
export async function rcTakenOverBy(files: HostFiles): Promise<string | null> {
  const st = await files.lstat(RC_PATH);
  if (st?.kind === "symlink") {
    const target = await files.readlink(RC_PATH);
    return target === PMG_RC_PATH ? null : `a link to ${target}`;
  }
  return st === undefined
    ? "nothing (the file is missing)"
    : `a ${st.kind === "file" ? "hand-written file" : st.kind}`;
}

/**
 * The accounts of a hand-written /etc/fetchmailrc (the guide's, or this program's before it used
 * PMG's template) that the declared account does not take over: replacing the file by PMG's link
 * would stop polling them, so they must be declared, moved, or given up deliberately.
 */
async function foreignAccounts(files: HostFiles, text: string, a: FetchmailAccount): Promise<string[]> {
  let dump: DumpedRc;
  try {
    dump = await dumpText(files, text);
  } catch {
    return ["(fetchmail cannot read the file)"];
  }
  return dump.servers.flatMap((s) =>
    s.users
      .filter((u) => !(s.server === a.server && u.user === a.user))
      .map((u) => `${u.user} on ${s.server}`),
  );
}

/** Makes the host match the declaration; throws before changing anything when it must not. */
export async function converge(
  files: HostFiles,
  i: FetchmailInputs,
  writes: number,
  adopting = false,
): Promise<FetchmailOutputs> {
  await requireFetchmail(files);
  if ((await clusterRole(files)) === "node") throw new Error(notMasterDetail(files.client.label));
  const a = await account(i);
  const block = renderAccountBlock(a);
  // fetchmail itself reads the account before anything is written.
  await validateRc(files, checkText(a), a);

  const [st, upstream] = await Promise.all([files.regularFile(RC_TEMPLATE_PATH), pmgDefaultTemplate(files)]);
  const current = st ? await files.readText(RC_TEMPLATE_PATH) : undefined;
  const found = findAccountBlock(current ?? upstream);
  if (found.kind === "corrupt") throw damaged(files, `the template ${found.reason}`);
  if (adopting && found.kind === "present" && current !== undefined) {
    const lines = current
      .split("\n")
      .slice(found.start, found.end + 1)
      .join("\n");
    if (lines !== block.join("\n") && !(await adoptExisting()))
      throw adoptionRefused(
        files.client.label,
        `the managed account in ${RC_TEMPLATE_PATH}`,
        "already exists and differs from the declaration",
      );
  }

  // The link, before anything is written: a hand-written rc with accounts of its own is refused.
  const rcSt = await files.lstat(RC_PATH);
  const rcIsLink = rcSt?.kind === "symlink" && (await files.readlink(RC_PATH)) === PMG_RC_PATH;
  if (rcSt && !rcIsLink) {
    const text = rcSt.kind === "file" ? ((await files.readText(RC_PATH)) ?? "") : "";
    const foreign = rcSt.kind === "file" ? await foreignAccounts(files, text, a) : [`(${rcSt.kind})`];
    if (foreign.length > 0 && !(await adoptExisting()))
      throw adoptionRefused(
        files.client.label,
        RC_PATH,
        `is ${await rcTakenOverBy(files)} that polls accounts the declaration does not (${foreign.join(", ")}); PMG's link would stop polling them. Add them in PMG's GUI (Configuration > Fetchmail) or to your own lines in ${RC_TEMPLATE_PATH}`,
      );
  }

  const template = withAccountBlock(current ?? upstream, block);
  const templateWritten = template !== current || st?.mode !== 0o600 || st.uid !== 0 || st.gid !== 0;
  if (templateWritten) {
    await files.client.run("mkdir -p /etc/pmg/templates");
    await files.write(RC_TEMPLATE_PATH, template, { mode: 0o600, uid: 0, gid: 0 });
  }

  // PMG's file: rendered by PMG's writer unless it already holds exactly this account.
  const rendered = await pmgRcState(files, a);
  let pmgAccounts = rendered.pmgAccounts;
  if (templateWritten || !rendered.ok) {
    pmgAccounts = await renderPmgRc(files);
    const after = await pmgRcState(files, a);
    if (!after.ok)
      throw new SshError(
        "E_SSH_FILE",
        files.client.label,
        `render ${PMG_RC_PATH} from ${RC_TEMPLATE_PATH}`,
        `after PMG's writer ran, the file ${after.why}`,
        `run \`perl -MPMG::Fetchmail -e1\` and look at ${PMG_RC_PATH} on the host`,
      );
  }

  const linked = !rcIsLink;
  if (linked) await files.client.run(shellCommand("ln", "-sfn", "--", PMG_RC_PATH, RC_PATH));

  const switchedOn = await enableDaemon(files);
  const changed = templateWritten || !rendered.ok || linked;
  if (changed) await restartDaemon(files);
  else if (switchedOn) await restartDaemon(files, "start");
  return {
    ...pick(i),
    sha256: sha256(block.join("\n")),
    writes: writes + (changed ? 1 : 0),
    takenOverBy: null,
    daemonEnabled: true,
    permissionsOk: true,
    pmgAccounts,
  };
}

/** Whether /etc/pmg/fetchmailrc holds the account as declared, with PMG's mode and owner, and PMG's own entry count. */
export async function pmgRcState(
  files: HostFiles,
  a: FetchmailAccount,
): Promise<{ ok: boolean; why: string; pmgAccounts: number }> {
  const st = await files.regularFile(PMG_RC_PATH);
  if (!st) return { ok: false, why: "does not exist", pmgAccounts: 0 };
  const ids = await files.userIds("fetchmail");
  const text = (await files.readText(PMG_RC_PATH)) ?? "";
  const dump = await dumpText(files, text).catch(() => undefined);
  const pmgAccounts = dump
    ? dump.servers.filter((s) => !dumpedAccount({ ...dump, servers: [s] }, a)).length
    : 0;
  if (!dump) return { ok: false, why: "cannot be read by fetchmail", pmgAccounts };
  const diffs = dumpDifferences(dump, a);
  if (diffs.length > 0) return { ok: false, why: `differs in ${diffs.join(", ")}`, pmgAccounts };
  if (st.mode !== 0o600 || st.uid !== ids.uid)
    return { ok: false, why: "is not mode 0600 owned by fetchmail", pmgAccounts };
  return { ok: true, why: "", pmgAccounts };
}
