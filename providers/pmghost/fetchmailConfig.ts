import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { systemSettings } from "../context";
import {
  converge,
  DEFAULTS,
  differingFields,
  FIELDS,
  pick,
  render,
  takenOverDetail,
  takeover,
  type FetchmailInputs as Inputs,
  type FetchmailOutputs as Outputs,
} from "./fetchmailFile";
import { dumpText, daemonEnabled, disableDaemon, RC_PATH } from "./fetchmailHost";
import { rcValueProblem } from "./fetchmailrc";
import { adoptExisting, adoptionRefused, Failures, hostReplaces, readResult, sha256 } from "./hostResource";
import { pmgHost, type PmgHostSettings } from "./settings";

export const KIND = "pmghost:FetchmailConfig";

export interface FetchmailConfigArgs {
  /** The PMG host (homelab-mail:pmg.ssh.host). */
  readonly sshHost: pulumi.Input<string>;
  /** Its SSH port. Default 22. */
  readonly sshPort?: pulumi.Input<number>;
  /** IMAP server of the catch box, e.g. imap.gmail.com. */
  readonly server: pulumi.Input<string>;
  /** IMAPS port. Default 993. */
  readonly port?: pulumi.Input<number>;
  /** IMAP login; the password is homelab-mail:gmailFetchmailPassword. */
  readonly user: pulumi.Input<string>;
  /** Folder fetched from. Default INBOX. */
  readonly folder?: pulumi.Input<string>;
  /** Seconds between polls (`set daemon`). Default 120. */
  readonly pollSeconds?: pulumi.Input<number>;
}

/**
 * /etc/fetchmailrc on the PMG host and the daemon running it: every `pollSeconds` it fetches all
 * mail of `folder` over IMAPS (certificate checked), deletes it there, and hands it to PMG's Postfix
 * through sendmail. PMG's own fetchmail API cannot express the folder, fetchall or the mda (reference 2.9).
 */
export class FetchmailConfig extends pulumi.dynamic.Resource {
  declare readonly sshHost: pulumi.Output<string>;
  declare readonly sshPort: pulumi.Output<number>;
  declare readonly server: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly user: pulumi.Output<string>;
  declare readonly folder: pulumi.Output<string>;
  declare readonly pollSeconds: pulumi.Output<number>;
  /** SHA-256 of the file as written (secret: the file holds the password); null when it is not a file of ours. */
  declare readonly sha256: pulumi.Output<string | null>;
  /** How many times this resource has written the file: the config sync's trigger. */
  declare readonly writes: pulumi.Output<number>;
  /** Set when /etc/fetchmailrc is a symlink (PMG's fetchmail API took it over): its target. */
  declare readonly takenOverBy: pulumi.Output<string | null>;
  declare readonly daemonEnabled: pulumi.Output<boolean>;
  /** Mode 0600 and owner fetchmail, as fetchmail and Debian's init script require. */
  declare readonly permissionsOk: pulumi.Output<boolean>;

  constructor(name: string, args: FetchmailConfigArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      sha256: undefined,
      writes: undefined,
      takenOverBy: undefined,
      daemonEnabled: undefined,
      permissionsOk: undefined,
    };
    super(
      shimProvider(KIND),
      name,
      { ...args, ...outputs },
      { ...opts, additionalSecretOutputs: ["sha256"] },
      "pmghost",
      "FetchmailConfig",
    );
  }
}

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const f = new Failures();
    const inputs: Inputs = {
      ...news,
      sshPort: news.sshPort ?? DEFAULTS.sshPort,
      port: news.port ?? DEFAULTS.port,
      folder: news.folder ?? DEFAULTS.folder,
      pollSeconds: news.pollSeconds ?? DEFAULTS.pollSeconds,
    };
    f.host(inputs, [...FIELDS]);
    f.check("server", inputs.server, v.host);
    f.check("port", inputs.port, v.port);
    f.check("user", inputs.user, (x) => rcValueProblem("user", x));
    f.check("folder", inputs.folder, (x) => rcValueProblem("folder", x));
    f.check("pollSeconds", inputs.pollSeconds, (x) =>
      Number.isInteger(x) && (x as number) >= 30 && (x as number) <= 86400
        ? undefined
        : "must be a whole number of seconds from 30 to 86400",
    );
    const pw = (await systemSettings<PmgHostSettings>("pmghost")).fetchmailPassword;
    if (!pw)
      f.add(
        "password",
        "homelab-mail:gmailFetchmailPassword is not set; run: pulumi config set --secret homelab-mail:gmailFetchmailPassword",
      );
    else
      f.add(
        "password",
        rcValueProblem("password", pw) &&
          `homelab-mail:gmailFetchmailPassword ${rcValueProblem("password", pw)}`,
      );
    return { inputs, failures: f.list };
  },

  async diff(_id, olds, news) {
    const replaces = hostReplaces(olds, news);
    const unknown = FIELDS.some((k) => v.isUnknown(news[k]));
    const changed =
      unknown ||
      FIELDS.some((k) => olds[k] !== news[k]) ||
      (olds.takenOverBy ?? null) !== null ||
      olds.daemonEnabled === false ||
      olds.permissionsOk === false ||
      // The password comes from config, so a rotated one shows here, as a changed file.
      olds.sha256 !== sha256((await render(news)).text);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const files = await pmgHost(inputs.sshHost, inputs.sshPort);
    const where = files.client.label;
    const linked = await takeover(files);
    if (linked !== undefined && !(await adoptExisting()))
      throw adoptionRefused(where, RC_PATH, takenOverDetail(linked));
    const current = linked === undefined ? await files.readText(RC_PATH) : undefined;
    if (current !== undefined && current !== (await render(inputs)).text && !(await adoptExisting())) {
      const fields = await differingFields(files, current, inputs);
      throw adoptionRefused(where, RC_PATH, `already exists and differs from the declaration (${fields})`);
    }
    return { id: `${inputs.sshHost}:${RC_PATH}`, outs: await converge(files, inputs, 0) };
  },

  async read(id, props_) {
    const props = props_ as Outputs;
    const files = await pmgHost(props.sshHost, props.sshPort);
    const st = await files.lstat(RC_PATH);
    if (!st) return gone();
    if (st.kind === "symlink") {
      const outs: Outputs = { ...props, sha256: null, takenOverBy: await files.readlink(RC_PATH) };
      return readResult(id, outs, pick(outs));
    }
    const text = (await files.readText(RC_PATH)) ?? "";
    const ids = await files.userIds("fetchmail");
    let observed: Inputs = pick(props);
    if (sha256(text) !== props.sha256) {
      // Edited by hand: show what fetchmail now reads, where it can still read it.
      const dump = await dumpText(files, text).catch(() => undefined);
      const s = dump?.servers[0];
      const u = s?.users[0];
      if (dump && s && u)
        observed = {
          ...observed,
          server: s.server,
          port: Number(s.port ?? 0),
          user: u.user,
          folder: u.folders[0] ?? "",
          pollSeconds: dump.pollSeconds,
        };
    }
    const outs: Outputs = {
      ...props,
      ...observed,
      sha256: sha256(text),
      takenOverBy: null,
      daemonEnabled: await daemonEnabled(files),
      permissionsOk: st.kind === "file" && st.mode === 0o600 && st.uid === ids.uid,
    };
    return readResult(id, outs, observed);
  },

  async update(_id, olds, news) {
    const files = await pmgHost(news.sshHost, news.sshPort);
    const linked = await takeover(files);
    if (linked !== undefined && !(await adoptExisting()))
      throw adoptionRefused(files.client.label, RC_PATH, takenOverDetail(linked));
    return { outs: await converge(files, news, Number(olds.writes ?? 0)) };
  },

  async delete(_id, props) {
    const files = await pmgHost(props.sshHost, props.sshPort);
    // PMG's link and file are PMG's: only a file of ours is removed, and only then is the daemon ours to stop.
    if ((await files.lstat(RC_PATH))?.kind !== "file") return;
    await disableDaemon(files);
    await files.remove(RC_PATH);
  },
};
