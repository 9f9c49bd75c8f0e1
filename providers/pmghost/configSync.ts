import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { shimProvider } from "../shim";
import type { HostFiles } from "./files";
import { Failures, hostReplaces, readResult, type HostInputs } from "./hostResource";
import { pmgHost } from "./settings";
import { shellCommand } from "./shell";
import { parameterProblem, type Parameters } from "./templateBlock";

export const KIND = "pmghost:PmgConfigSync";

/** The script the sync runs on the host, kept as a file in the repository and sent on stdin. */
export const SCRIPT_PATH = path.join(__dirname, "scripts", "pmgconfig-sync.sh");

export interface PmgConfigSyncArgs {
  /** The PMG host (homelab-mail:pmg.ssh.host). */
  readonly sshHost: pulumi.Input<string>;
  /** Its SSH port. Default 22. */
  readonly sshPort?: pulumi.Input<number>;
  /** Each host file resource's `writes` counter by name: a change in any of them means one sync. */
  readonly triggers: pulumi.Input<Record<string, pulumi.Input<number>>>;
  /** main.cf parameters the rendered configuration must hold afterwards (the template block's). */
  readonly expect?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * `pmgconfig sync --restart 1`, once per deployment that wrote a host file it depends on, and
 * never otherwise. The triggers are write counters, not content hashes, on purpose: restoring a
 * hand-edited file writes the same content as before, which a hash would not notice, yet the
 * configuration PMG rendered from the edited file must be rendered again.
 */
export class PmgConfigSync extends pulumi.dynamic.Resource {
  declare readonly sshHost: pulumi.Output<string>;
  declare readonly sshPort: pulumi.Output<number>;
  declare readonly triggers: pulumi.Output<Record<string, number>>;
  declare readonly expect: pulumi.Output<Record<string, string>>;
  /** How many times this resource has run the sync. */
  declare readonly syncs: pulumi.Output<number>;
  /** postconf reports every `expect` parameter as declared (false after a hand change to main.cf or the template). */
  declare readonly inSync: pulumi.Output<boolean>;

  constructor(name: string, args: PmgConfigSyncArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shimProvider(KIND),
      name,
      { ...args, syncs: undefined, inSync: undefined },
      opts,
      "pmghost",
      "PmgConfigSync",
    );
  }
}

type Inputs = HostInputs & { triggers: Record<string, number>; expect: Parameters };
type Outputs = Inputs & { syncs: number; inSync: boolean };

/** Runs the script: sync, then check each expected parameter. Throws with its (redacted) message. */
export async function runSync(files: HostFiles, expect: Parameters): Promise<void> {
  const args = Object.keys(expect)
    .sort()
    .map((k) => `${k}=${expect[k]}`);
  await files.client.run(shellCommand("bash", "-s", "--", ...args), {
    stdin: fs.readFileSync(SCRIPT_PATH),
    label: "pmgconfig sync --restart 1 (providers/pmghost/scripts/pmgconfig-sync.sh)",
    fix: "run `pmgconfig sync --restart 1` on the PMG host to see the whole message",
  });
}

/** Whether postconf reports every expected parameter as declared. */
async function inSync(files: HostFiles, expect: Parameters): Promise<boolean> {
  const names = Object.keys(expect).sort();
  if (names.length === 0) return true;
  const r = await files.client.exec(shellCommand("postconf", "-h", "--", ...names));
  const values = r.stdout.split("\n");
  return r.code === 0 && names.every((n, i) => values[i] === expect[n]);
}

const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const sorted = (o: unknown) =>
  o && typeof o === "object"
    ? Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)))
    : o;
const pick = (i: Inputs): Inputs => ({
  sshHost: i.sshHost,
  sshPort: i.sshPort,
  triggers: i.triggers,
  expect: i.expect,
});

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const f = new Failures();
    const inputs: Inputs = { ...news, sshPort: news.sshPort ?? 22, expect: news.expect ?? {} };
    f.host(inputs, ["triggers", "expect"]);
    if (!v.isUnknown(inputs.triggers)) {
      if (!inputs.triggers || typeof inputs.triggers !== "object")
        f.add("triggers", "must be an object of write counters");
      else
        for (const [k, n] of Object.entries(inputs.triggers))
          f.check(`triggers.${k}`, n, (x) =>
            Number.isInteger(x) && (x as number) >= 0 ? undefined : "must be a whole number",
          );
    }
    if (!v.isUnknown(inputs.expect)) {
      if (!inputs.expect || typeof inputs.expect !== "object")
        f.add("expect", "must be an object of main.cf parameters");
      else
        for (const [k, val] of Object.entries(inputs.expect))
          f.check(`expect.${k}`, val, (x) => parameterProblem(k, x));
    }
    return { inputs, failures: f.list };
  },

  async diff(_id, olds, news) {
    const replaces = hostReplaces(olds, news);
    const changed =
      !same(olds.triggers, news.triggers) || !same(olds.expect, news.expect) || olds.inSync === false;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const files = await pmgHost(inputs.sshHost, inputs.sshPort);
    // Files adopted unchanged (no writes) need no sync, unless main.cf does not show them yet.
    const needed = Object.values(inputs.triggers).some((n) => n > 0) || !(await inSync(files, inputs.expect));
    if (needed) await runSync(files, inputs.expect);
    return {
      id: `${inputs.sshHost}:pmgconfig-sync`,
      outs: { ...pick(inputs), syncs: needed ? 1 : 0, inSync: true },
    };
  },

  async read(id, props_) {
    const props = props_ as Outputs;
    const files = await pmgHost(props.sshHost, props.sshPort);
    const outs: Outputs = { ...props, inSync: await inSync(files, props.expect ?? {}) };
    return readResult(id, outs, pick(outs));
  },

  // Called only when a trigger or an expectation changed, or main.cf drifted: each is one sync.
  async update(_id, olds, news) {
    const files = await pmgHost(news.sshHost, news.sshPort);
    await runSync(files, news.expect);
    return { outs: { ...pick(news), syncs: Number(olds.syncs ?? 0) + 1, inSync: true } };
  },

  // Nothing to undo: the files' own deletes restore the configuration (the template block's runs a sync).
  async delete() {},
};
