import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { SshError } from "../../lib/errors";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { runSync } from "./configSync";
import type { HostFiles } from "./files";
import {
  adoptExisting,
  adoptionRefused,
  Failures,
  hostReplaces,
  readResult,
  sha256,
  type HostInputs,
} from "./hostResource";
import { pmgHost } from "./settings";
import {
  DEFAULT_PATH,
  findBlock,
  OVERRIDE_PATH,
  parameterProblem,
  withBlock,
  withoutBlock,
  type Parameters,
} from "./templateBlock";

export const KIND = "pmghost:PostfixTemplateBlock";

export interface PostfixTemplateBlockArgs {
  /** The PMG host (homelab-mail:pmg.ssh.host). */
  readonly sshHost: pulumi.Input<string>;
  /** Its SSH port. Default 22. */
  readonly sshPort?: pulumi.Input<number>;
  /** main.cf parameters the block sets, e.g. `{ smtp_sasl_auth_enable: "yes" }`. */
  readonly parameters: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * One managed block in PMG's main.cf template override (/etc/pmg/templates/main.cf.in), which is
 * first copied from PMG's packaged default when absent (PMG's documented procedure, reference 2.10).
 * Only the block is ever written. PMG renders it into main.cf on the next `pmgconfig sync`
 * (PmgConfigSync); deleting the resource removes the block and syncs once more.
 */
export class PostfixTemplateBlock extends pulumi.dynamic.Resource {
  declare readonly sshHost: pulumi.Output<string>;
  declare readonly sshPort: pulumi.Output<number>;
  /** The block's parameters as the file holds them. */
  declare readonly parameters: pulumi.Output<Record<string, string>>;
  /** How many times this resource has written the override: the config sync's trigger. */
  declare readonly writes: pulumi.Output<number>;
  /** This resource copied the override from PMG's default (so deleting it may remove the copy again). */
  declare readonly createdOverride: pulumi.Output<boolean>;
  /** SHA-256 of PMG's default template when the override was copied (or first adopted). */
  declare readonly baseSha256: pulumi.Output<string>;
  /** SHA-256 of PMG's default template as last seen. */
  declare readonly upstreamSha256: pulumi.Output<string>;
  /**
   * PMG's default template changed since (a package update): the override still holds the old copy,
   * so the update's changes do not reach main.cf. Reported, never merged automatically: see README.
   */
  declare readonly upstreamChanged: pulumi.Output<boolean>;

  constructor(name: string, args: PostfixTemplateBlockArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      writes: undefined,
      createdOverride: undefined,
      baseSha256: undefined,
      upstreamSha256: undefined,
      upstreamChanged: undefined,
    };
    super(shimProvider(KIND), name, { ...args, ...outputs }, opts, "pmghost", "PostfixTemplateBlock");
  }
}

type Inputs = HostInputs & { parameters: Parameters };
type Outputs = Inputs & {
  writes: number;
  createdOverride: boolean;
  baseSha256: string;
  upstreamSha256: string;
  upstreamChanged: boolean;
};

const sameParameters = (a: Parameters | undefined, b: Parameters | undefined) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

async function defaultTemplate(files: HostFiles): Promise<string> {
  const text = await files.readText(DEFAULT_PATH);
  if (text === undefined) {
    throw new SshError(
      "E_SSH_FILE",
      files.client.label,
      `read ${DEFAULT_PATH}`,
      "it does not exist",
      "homelab-mail:pmg.ssh.host must be a Proxmox Mail Gateway host",
    );
  }
  return text;
}

function damaged(files: HostFiles, reason: string): SshError {
  return new SshError(
    "E_SSH_FILE",
    files.client.label,
    `edit the managed block in ${OVERRIDE_PATH}`,
    `the block is damaged: ${reason}`,
    "remove the homelab-mail marker lines and everything between them by hand, then run pulumi up",
  );
}

/** The override with exactly the declared block; the copy from PMG's default is made only when no override exists. */
async function converge(files: HostFiles, i: Inputs, olds?: Outputs): Promise<Outputs> {
  const [current, upstream, st] = await Promise.all([
    files.readText(OVERRIDE_PATH),
    defaultTemplate(files),
    files.regularFile(OVERRIDE_PATH),
  ]);
  const found = current === undefined ? undefined : findBlock(current);
  if (found?.kind === "corrupt") throw damaged(files, found.reason);
  let next: string;
  try {
    next = withBlock(current ?? upstream, i.parameters, upstream);
  } catch (e) {
    throw damaged(files, (e as Error).message);
  }
  const created = current === undefined;
  if (created) await files.client.run("mkdir -p /etc/pmg/templates");
  // PMG renders the template as root; nobody else may edit it. Owner and mode explicit, never copied.
  if (next !== current || st?.mode !== 0o644 || st.uid !== 0 || st.gid !== 0)
    await files.write(OVERRIDE_PATH, next, { mode: 0o644, uid: 0, gid: 0 });
  const baseSha256 = created || !olds?.baseSha256 ? sha256(upstream) : olds.baseSha256;
  return {
    sshHost: i.sshHost,
    sshPort: i.sshPort,
    parameters: i.parameters,
    writes: Number(olds?.writes ?? 0) + (next !== current ? 1 : 0),
    createdOverride: created || olds?.createdOverride === true,
    baseSha256,
    upstreamSha256: sha256(upstream),
    upstreamChanged: sha256(upstream) !== baseSha256,
  };
}

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const f = new Failures();
    const inputs: Inputs = { ...news, sshPort: news.sshPort ?? 22 };
    f.host(inputs, ["parameters"]);
    if (!v.isUnknown(inputs.parameters)) {
      if (
        !inputs.parameters ||
        typeof inputs.parameters !== "object" ||
        Object.keys(inputs.parameters).length === 0
      ) {
        f.add("parameters", "must name at least one main.cf parameter");
      } else
        for (const [k, val] of Object.entries(inputs.parameters))
          f.check(`parameters.${k}`, val, (x) => parameterProblem(k, x));
    }
    return { inputs, failures: f.list };
  },

  async diff(_id, olds, news) {
    const replaces = hostReplaces(olds, news);
    const unknown = v.isUnknown(news.parameters) || Object.values(news.parameters ?? {}).some(v.isUnknown);
    return {
      changes: replaces.length > 0 || unknown || !sameParameters(olds.parameters, news.parameters),
      replaces,
      deleteBeforeReplace: false,
    };
  },

  // An existing override is PMG's documented place for local changes: it is kept, and only the block is added.
  async create(inputs) {
    const files = await pmgHost(inputs.sshHost, inputs.sshPort);
    // A block of ours already there (state lost, or a second stack) is adopted only if it says the same.
    const current = await files.readText(OVERRIDE_PATH);
    const found = current === undefined ? undefined : findBlock(current);
    if (
      found?.kind === "present" &&
      !sameParameters(found.parameters, inputs.parameters) &&
      !(await adoptExisting())
    ) {
      const names = Object.keys({ ...found.parameters, ...inputs.parameters }).filter(
        (k) => found.parameters[k] !== inputs.parameters[k],
      );
      throw adoptionRefused(
        files.client.label,
        `the managed block in ${OVERRIDE_PATH}`,
        `already exists and differs in ${names.sort().join(", ")}`,
      );
    }
    return { id: `${inputs.sshHost}:${OVERRIDE_PATH}`, outs: await converge(files, inputs) };
  },

  async read(id, props_) {
    const props = props_ as Outputs;
    const files = await pmgHost(props.sshHost, props.sshPort);
    const current = await files.readText(OVERRIDE_PATH);
    const found = current === undefined ? undefined : findBlock(current);
    // No override, or no block in it: gone, and the next `pulumi up` adds it again.
    if (!found || found.kind === "absent") return gone();
    const upstreamSha256 = sha256(await defaultTemplate(files));
    const parameters = found.kind === "present" ? found.parameters : {};
    const outs: Outputs = {
      ...props,
      parameters,
      upstreamSha256,
      upstreamChanged: upstreamSha256 !== props.baseSha256,
    };
    return readResult(id, outs, { sshHost: props.sshHost, sshPort: props.sshPort, parameters });
  },

  async update(_id, olds, news) {
    const files = await pmgHost(news.sshHost, news.sshPort);
    return { outs: await converge(files, news, olds) };
  },

  async delete(_id, props) {
    const files = await pmgHost(props.sshHost, props.sshPort);
    const current = await files.readText(OVERRIDE_PATH);
    const found = current === undefined ? undefined : findBlock(current);
    if (!current || !found || found.kind === "absent") return;
    if (found.kind === "corrupt") throw damaged(files, found.reason);
    const rest = withoutBlock(current);
    // A copy this resource made that is still PMG's current default, byte for byte, goes too: left
    // behind, it would silently pin the template against PMG's future updates. Anything else stays.
    if (props.createdOverride && rest === (await defaultTemplate(files))) await files.remove(OVERRIDE_PATH);
    else {
      await files.regularFile(OVERRIDE_PATH);
      await files.write(OVERRIDE_PATH, rest, { mode: 0o644, uid: 0, gid: 0 });
    }
    await runSync(files, {});
  },
};
