import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import type { HostFiles } from "./files";
import { Failures, hostReplaces, readResult, sha256, type HostInputs } from "./hostResource";
import { pmgHost } from "./settings";
import { shellCommand } from "./shell";
import {
  policyKeys,
  policyValue,
  POLICY_MAP,
  POLICY_PATH,
  renderPolicyMap,
  smarthostPortProblem,
} from "./tlsPolicy";

export const KIND = "pmghost:SmarthostTlsPolicy";

export interface SmarthostTlsPolicyArgs {
  /** The PMG host (homelab-mail:pmg.ssh.host). */
  readonly sshHost: pulumi.Input<string>;
  /** Its SSH port. Default 22. */
  readonly sshPort?: pulumi.Input<number>;
  /** The smarthost, as PMG's `smarthost` names it (smtp.gmail.com). */
  readonly relayHost: pulumi.Input<string>;
  /** Its port (PMG `smarthostport`), e.g. 587. 465 is refused (see tlsPolicy.ts). */
  readonly relayPort: pulumi.Input<number>;
}

/**
 * /etc/postfix/smarthost_tls_policy and its .db (0644 root): `secure` with the smarthost's name
 * matched and the system CAs, for the smarthost only. The template block names the map in
 * `smtp_tls_policy_maps` (merged with PMG's own map when PMG's TLS is on).
 */
export class SmarthostTlsPolicy extends pulumi.dynamic.Resource {
  declare readonly sshHost: pulumi.Output<string>;
  declare readonly sshPort: pulumi.Output<number>;
  declare readonly relayHost: pulumi.Output<string>;
  declare readonly relayPort: pulumi.Output<number>;
  /** `hash:/etc/postfix/smarthost_tls_policy`, for smtp_tls_policy_maps. */
  declare readonly map: pulumi.Output<string>;
  declare readonly sha256: pulumi.Output<string>;
  /** How many times this resource has rewritten the map: the config sync's trigger. */
  declare readonly writes: pulumi.Output<number>;
  /** Every key answers with the declared policy through `postmap -q`. */
  declare readonly lookupOk: pulumi.Output<boolean>;

  constructor(name: string, args: SmarthostTlsPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { map: undefined, sha256: undefined, writes: undefined, lookupOk: undefined };
    super(shimProvider(KIND), name, { ...args, ...outputs }, opts, "pmghost", "SmarthostTlsPolicy");
  }
}

type Inputs = HostInputs & { relayHost: string; relayPort: number };
type Outputs = Inputs & { map: string; sha256: string; writes: number; lookupOk: boolean };

const FIELDS = ["relayHost", "relayPort"] as const;
const DB_PATH = `${POLICY_PATH}.db`;
const pick = (i: Inputs): Inputs => ({
  sshHost: i.sshHost,
  sshPort: i.sshPort,
  relayHost: i.relayHost,
  relayPort: i.relayPort,
});

async function lookupOk(files: HostFiles, i: Inputs): Promise<boolean> {
  for (const key of policyKeys(i.relayHost, i.relayPort)) {
    const r = await files.client.exec(shellCommand("postmap", "-q", key, POLICY_MAP));
    if (r.code !== 0 || r.stdout.replace(/\n$/, "") !== policyValue(i.relayHost)) return false;
  }
  return true;
}

async function converge(files: HostFiles, i: Inputs, writes: number): Promise<Outputs> {
  const text = renderPolicyMap(i.relayHost, i.relayPort);
  const [st, db] = await Promise.all([files.regularFile(POLICY_PATH), files.regularFile(DB_PATH)]);
  const sameText = (await files.readText(POLICY_PATH)) === text && st?.mode === 0o644 && st.uid === 0;
  if (!sameText) await files.write(POLICY_PATH, text, { mode: 0o644, uid: 0, gid: 0 });
  const stale = !sameText || db === undefined || !(await lookupOk(files, i));
  if (stale) {
    await files.client.run(shellCommand("postmap", POLICY_MAP), {
      fix: `check the map with \`postmap -q ${policyKeys(i.relayHost, i.relayPort)[0]} ${POLICY_MAP}\` on the PMG host`,
    });
    await files.setModeAndOwner(DB_PATH, 0o644, 0, 0);
    if (!(await lookupOk(files, i)))
      throw new Error(
        `pmghost: ${POLICY_MAP} on ${files.client.label} does not answer the smarthost lookup after postmap; check that postfix supports hash: maps (postconf -m)`,
      );
  }
  return {
    ...pick(i),
    map: POLICY_MAP,
    sha256: sha256(text),
    lookupOk: true,
    writes: writes + (stale ? 1 : 0),
  };
}

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const f = new Failures();
    const inputs: Inputs = { ...news, sshPort: news.sshPort ?? 22 };
    f.host(inputs, [...FIELDS]);
    f.check("relayHost", inputs.relayHost, v.host);
    f.check("relayPort", inputs.relayPort, (x) => v.port(x) ?? smarthostPortProblem(x));
    return { inputs, failures: f.list };
  },

  async diff(_id, olds, news) {
    const replaces = hostReplaces(olds, news);
    const changed =
      FIELDS.some((k) => v.isUnknown(news[k]) || olds[k] !== news[k]) || olds.lookupOk === false;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const files = await pmgHost(inputs.sshHost, inputs.sshPort);
    // The file is ours by name; whatever is there is replaced (it holds no secret and no one else's settings).
    return { id: `${inputs.sshHost}:${POLICY_PATH}`, outs: await converge(files, inputs, 0) };
  },

  async read(id, props_) {
    const props = props_ as Outputs;
    const files = await pmgHost(props.sshHost, props.sshPort);
    const text = await files.readText(POLICY_PATH);
    if (text === undefined) return gone();
    const outs: Outputs = { ...props, sha256: sha256(text), lookupOk: await lookupOk(files, props) };
    if (outs.sha256 !== props.sha256) outs.lookupOk = false;
    return readResult(id, outs, pick(props));
  },

  async update(_id, olds, news) {
    const files = await pmgHost(news.sshHost, news.sshPort);
    return { outs: await converge(files, news, Number(olds.writes ?? 0)) };
  },

  async delete(_id, props) {
    const files = await pmgHost(props.sshHost, props.sshPort);
    await files.remove(DB_PATH);
    await files.remove(POLICY_PATH);
  },
};
