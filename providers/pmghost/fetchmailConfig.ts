import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { systemSettings } from "../context";
import { clusterRole } from "./cluster";
import {
  blockText,
  converge,
  DEFAULTS,
  FIELDS,
  pick,
  rcTakenOverBy,
  type FetchmailInputs as Inputs,
  type FetchmailOutputs as Outputs,
} from "./fetchmailFile";
import {
  daemonEnabled,
  RC_TEMPLATE_DEFAULT,
  RC_TEMPLATE_PATH,
  releaseDaemon,
  renderPmgRc,
  requireFetchmail,
} from "./fetchmailHost";
import { envelopeProblem, findAccountBlock, rcValueProblem, withoutAccountBlock } from "./fetchmailrc";
import { Failures, hostReplaces, readResult, sha256 } from "./hostResource";
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
  /** Wished seconds between polls; PMG polls in 300-second cycles, so this becomes the nearest whole number of cycles (`interval`). Default 300. */
  readonly pollSeconds?: pulumi.Input<number>;
  /** The addresses mail in this box is for (the ones Cloudflare routes to it); each message goes to those it names. */
  readonly localNames: pulumi.Input<pulumi.Input<string>[]>;
  /** Where a message naming none of them goes (never dropped), e.g. postmaster@<main domain>. */
  readonly fallbackRecipient: pulumi.Input<string>;
  /** `none` (default): recipients from To/Cc/Resent-*; or the header holding the original recipient (docs/recipient-headers.md). */
  readonly envelope?: pulumi.Input<string>;
}

/**
 * The catch box's account in PMG's own fetchmail, the PMG way: a block in PMG's template override
 * /etc/pmg/templates/fetchmailrc.tt, above PMG's marker, rendered by PMG's writer into
 * /etc/pmg/fetchmailrc beside the accounts of PMG's GUI, and delivered by SMTP into PMG's external
 * port, multidrop to each message's original recipients (fetchmailrc.ts). PMG's API cannot express
 * the folder, fetchall or multidrop (reference 2.9).
 */
export class FetchmailConfig extends pulumi.dynamic.Resource {
  declare readonly sshHost: pulumi.Output<string>;
  declare readonly sshPort: pulumi.Output<number>;
  declare readonly server: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly user: pulumi.Output<string>;
  declare readonly folder: pulumi.Output<string>;
  declare readonly pollSeconds: pulumi.Output<number>;
  declare readonly localNames: pulumi.Output<string[]>;
  declare readonly fallbackRecipient: pulumi.Output<string>;
  declare readonly envelope: pulumi.Output<string>;
  /** SHA-256 of the managed block as written (secret: it holds the password). */
  declare readonly sha256: pulumi.Output<string | null>;
  /** How many times this resource has written the file: the config sync's trigger. */
  declare readonly writes: pulumi.Output<number>;
  /**
   * What /etc/fetchmailrc is when it is not PMG's link to /etc/pmg/fetchmailrc (a hand-written file,
   * a link elsewhere, nothing): the daemon then does not poll the declared account. null normally.
   */
  declare readonly takenOverBy: pulumi.Output<string | null>;
  /** The program's START_DAEMON line is in effect and the unit enabled. */
  declare readonly daemonEnabled: pulumi.Output<boolean>;
  /** The template override 0600 root (it holds the password). */
  declare readonly permissionsOk: pulumi.Output<boolean>;
  /** Accounts of PMG's own GUI polled beside ours (Configuration > Fetchmail). */
  declare readonly pmgAccounts: pulumi.Output<number>;

  constructor(name: string, args: FetchmailConfigArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      sha256: undefined,
      writes: undefined,
      takenOverBy: undefined,
      daemonEnabled: undefined,
      permissionsOk: undefined,
      pmgAccounts: undefined,
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

const sameList = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const f = new Failures();
    const inputs: Inputs = {
      ...news,
      sshPort: news.sshPort ?? DEFAULTS.sshPort,
      port: news.port ?? DEFAULTS.port,
      folder: news.folder ?? DEFAULTS.folder,
      pollSeconds: news.pollSeconds ?? DEFAULTS.pollSeconds,
      envelope: news.envelope ?? DEFAULTS.envelope,
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
    f.check("envelope", inputs.envelope, envelopeProblem);
    f.check("fallbackRecipient", inputs.fallbackRecipient, v.email);
    if (!v.isUnknown(inputs.localNames)) {
      if (!Array.isArray(inputs.localNames) || inputs.localNames.length === 0)
        f.add("localNames", "must list at least one address the box receives mail for");
      else inputs.localNames.forEach((x, n) => f.check(`localNames[${n}]`, x, v.email));
    }
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
      FIELDS.some((k) => !sameList(olds[k], news[k])) ||
      (olds.takenOverBy ?? null) !== null ||
      olds.daemonEnabled === false ||
      olds.permissionsOk === false ||
      // The password comes from config, so a rotated one shows here, as a changed block.
      olds.sha256 !== sha256(await blockText(news));
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const files = await pmgHost(inputs.sshHost, inputs.sshPort);
    return { id: `${inputs.sshHost}:${RC_TEMPLATE_PATH}`, outs: await converge(files, inputs, 0, true) };
  },

  async read(id, props_) {
    const props = props_ as Outputs;
    const files = await pmgHost(props.sshHost, props.sshPort);
    await requireFetchmail(files);
    const st = await files.lstat(RC_TEMPLATE_PATH);
    const text = st?.kind === "file" ? await files.readText(RC_TEMPLATE_PATH) : undefined;
    const found = text === undefined ? undefined : findAccountBlock(text);
    if (!text || !found || found.kind === "absent") return gone();
    const block =
      found.kind === "present"
        ? text
            .split("\n")
            .slice(found.start, found.end + 1)
            .join("\n")
        : "";
    const outs: Outputs = {
      ...props,
      sha256: sha256(block),
      takenOverBy:
        (await clusterRole(files)) === "node"
          ? "a PMG cluster node (fetchmail runs on the master)"
          : await rcTakenOverBy(files),
      daemonEnabled: await daemonEnabled(files),
      permissionsOk: st?.kind === "file" && st.mode === 0o600 && st.uid === 0,
    };
    return readResult(id, outs, pick(props));
  },

  async update(_id, olds, news) {
    const files = await pmgHost(news.sshHost, news.sshPort);
    return { outs: await converge(files, news, Number(olds.writes ?? 0)) };
  },

  async delete(_id, props) {
    const files = await pmgHost(props.sshHost, props.sshPort);
    const st = await files.regularFile(RC_TEMPLATE_PATH);
    const text = st ? await files.readText(RC_TEMPLATE_PATH) : undefined;
    if (text === undefined || findAccountBlock(text).kind !== "present") return;
    const rest = withoutAccountBlock(text);
    // A copy that is PMG's default again goes, so it never pins PMG's template against updates.
    if (rest === (await files.readText(RC_TEMPLATE_DEFAULT))) await files.remove(RC_TEMPLATE_PATH);
    else await files.write(RC_TEMPLATE_PATH, rest, { mode: 0o600, uid: 0, gid: 0 });
    await renderPmgRc(files);
    await releaseDaemon(files);
  },
};
