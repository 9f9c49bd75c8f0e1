import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { systemSettings } from "../context";
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
import {
  absorbable,
  renderSaslMap,
  saslKeys,
  saslPasswordProblem,
  saslUserProblem,
  SASL_PATH,
} from "./saslMap";
import { pmgHost, type PmgHostSettings } from "./settings";
import { shellCommand } from "./shell";

export const KIND = "pmghost:SaslPasswordMap";

export interface SaslPasswordMapArgs {
  /** The PMG host (homelab-mail:pmg.ssh.host). */
  readonly sshHost: pulumi.Input<string>;
  /** Its SSH port. Default 22. */
  readonly sshPort?: pulumi.Input<number>;
  /** The smarthost, as PMG's `smarthost` names it (smtp.gmail.com). */
  readonly relayHost: pulumi.Input<string>;
  /** Its port (PMG `smarthostport`), e.g. 587. */
  readonly relayPort: pulumi.Input<number>;
  /** SASL login; the password is homelab-mail:gmailSmarthostPassword. */
  readonly username: pulumi.Input<string>;
}

/** /etc/postfix/sasl_passwd and its postmap'ed .db (both 0600 root): the credentials Postfix relays to the smarthost with. */
export class SaslPasswordMap extends pulumi.dynamic.Resource {
  declare readonly sshHost: pulumi.Output<string>;
  declare readonly sshPort: pulumi.Output<number>;
  declare readonly relayHost: pulumi.Output<string>;
  declare readonly relayPort: pulumi.Output<number>;
  declare readonly username: pulumi.Output<string>;
  /** `hash:/etc/postfix/sasl_passwd`, for smtp_sasl_password_maps. */
  declare readonly map: pulumi.Output<string>;
  /** The lookup keys written, the one PMG's transport uses first. */
  declare readonly keys: pulumi.Output<string[]>;
  /** SHA-256 of the map's text (secret: it holds the password). */
  declare readonly sha256: pulumi.Output<string>;
  /** How many times this resource has rewritten the map: the config sync's trigger. */
  declare readonly writes: pulumi.Output<number>;
  /** Every key answers with the declared credentials through `postmap -q`. */
  declare readonly lookupOk: pulumi.Output<boolean>;
  /** Both files mode 0600, owned by root. */
  declare readonly permissionsOk: pulumi.Output<boolean>;

  constructor(name: string, args: SaslPasswordMapArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      map: undefined,
      keys: undefined,
      sha256: undefined,
      writes: undefined,
      lookupOk: undefined,
      permissionsOk: undefined,
    };
    super(
      shimProvider(KIND),
      name,
      { ...args, ...outputs },
      { ...opts, additionalSecretOutputs: ["sha256"] },
      "pmghost",
      "SaslPasswordMap",
    );
  }
}

type Inputs = HostInputs & { relayHost: string; relayPort: number; username: string };
type Outputs = Inputs & {
  map: string;
  keys: string[];
  sha256: string;
  writes: number;
  lookupOk: boolean;
  permissionsOk: boolean;
};

const FIELDS = ["relayHost", "relayPort", "username"] as const;
const MAP = `hash:${SASL_PATH}`;
const DB_PATH = `${SASL_PATH}.db`;

async function password(): Promise<string> {
  const p = (await systemSettings<PmgHostSettings>("pmghost")).smarthostPassword;
  if (!p)
    throw new Error(
      "pmghost: homelab-mail:gmailSmarthostPassword is not set; run: pulumi config set --secret homelab-mail:gmailSmarthostPassword",
    );
  return p;
}

const pick = (i: Inputs): Inputs => ({
  sshHost: i.sshHost,
  sshPort: i.sshPort,
  relayHost: i.relayHost,
  relayPort: i.relayPort,
  username: i.username,
});

/** Whether every key answers `user:password` through the host's own postmap, as the smtp client's lookup would. */
async function lookupOk(files: HostFiles, i: Inputs, pw: string): Promise<boolean> {
  for (const key of saslKeys(i.relayHost, i.relayPort)) {
    const r = await files.client.exec(shellCommand("postmap", "-q", key, MAP));
    if (r.code !== 0 || r.stdout.replace(/\n$/, "") !== `${i.username}:${pw}`) return false;
  }
  return true;
}

async function permissionsOk(files: HostFiles): Promise<boolean> {
  const [a, b] = await Promise.all([files.lstat(SASL_PATH), files.lstat(DB_PATH)]);
  return [a, b].every((st) => st?.kind === "file" && st.mode === 0o600 && st.uid === 0);
}

async function converge(files: HostFiles, i: Inputs, writes: number): Promise<Outputs> {
  const pw = await password();
  const text = renderSaslMap(i.relayHost, i.relayPort, i.username, pw);
  // Never through a link: chmod would follow it to its target (issue 14 item 5).
  await Promise.all([files.regularFile(SASL_PATH), files.regularFile(DB_PATH)]);
  const sameText = (await files.readText(SASL_PATH)) === text;
  if (!sameText) await files.write(SASL_PATH, text, { mode: 0o600, uid: 0, gid: 0 });
  const stale = !sameText || !(await lookupOk(files, i, pw));
  if (stale) {
    await files.client.run(shellCommand("postmap", MAP), {
      fix: "check the map with `postmap -q <key> hash:/etc/postfix/sasl_passwd` on the PMG host",
    });
  }
  if (!(await permissionsOk(files))) {
    await files.setModeAndOwner(SASL_PATH, 0o600, 0, 0);
    await files.setModeAndOwner(DB_PATH, 0o600, 0, 0);
  }
  if (stale && !(await lookupOk(files, i, pw))) {
    throw new Error(
      `pmghost: ${MAP} on ${files.client.label} does not answer the smarthost lookup after postmap; check that postfix supports hash: maps (postconf -m)`,
    );
  }
  const outs = {
    map: MAP,
    keys: saslKeys(i.relayHost, i.relayPort),
    sha256: sha256(text),
    lookupOk: true,
    permissionsOk: true,
  };
  return { ...pick(i), ...outs, writes: writes + (stale ? 1 : 0) };
}

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const f = new Failures();
    const inputs: Inputs = { ...news, sshPort: news.sshPort ?? 22 };
    f.host(inputs, [...FIELDS]);
    f.check("relayHost", inputs.relayHost, v.host);
    f.check("relayPort", inputs.relayPort, v.port);
    f.check("username", inputs.username, saslUserProblem);
    const pw = (await systemSettings<PmgHostSettings>("pmghost")).smarthostPassword;
    const problem =
      pw === undefined
        ? "is not set; run: pulumi config set --secret homelab-mail:gmailSmarthostPassword"
        : saslPasswordProblem(pw);
    f.add("password", problem && `homelab-mail:gmailSmarthostPassword ${problem}`);
    return { inputs, failures: f.list };
  },

  async diff(_id, olds, news) {
    const replaces = hostReplaces(olds, news);
    const unknown = FIELDS.some((k) => v.isUnknown(news[k]));
    const text = unknown
      ? ""
      : renderSaslMap(news.relayHost, news.relayPort, news.username, await password());
    const changed =
      unknown ||
      FIELDS.some((k) => olds[k] !== news[k]) ||
      olds.sha256 !== sha256(text) ||
      olds.lookupOk === false ||
      olds.permissionsOk === false;
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const files = await pmgHost(inputs.sshHost, inputs.sshPort);
    await files.regularFile(SASL_PATH); // never read or judged through a link
    const current = await files.readText(SASL_PATH);
    const text = renderSaslMap(inputs.relayHost, inputs.relayPort, inputs.username, await password());
    const pw = await password();
    const absorbed =
      current !== undefined && absorbable(current, inputs.relayHost, inputs.relayPort, inputs.username, pw);
    if (current !== undefined && current !== text && !absorbed && !(await adoptExisting())) {
      throw adoptionRefused(
        files.client.label,
        SASL_PATH,
        "already exists and differs from the declaration (its keys, login or password)",
      );
    }
    return { id: `${inputs.sshHost}:${SASL_PATH}`, outs: await converge(files, inputs, 0) };
  },

  async read(id, props_) {
    const props = props_ as Outputs;
    const files = await pmgHost(props.sshHost, props.sshPort);
    const text = await files.readText(SASL_PATH);
    if (text === undefined) return gone();
    const observed = { ...pick(props), ...parseFirstEntry(text) };
    const pw = (await systemSettings<PmgHostSettings>("pmghost")).smarthostPassword ?? "";
    const outs: Outputs = {
      ...props,
      ...observed,
      sha256: sha256(text),
      lookupOk: await lookupOk(files, props, pw),
      permissionsOk: await permissionsOk(files),
    };
    return readResult(id, outs, observed);
  },

  async update(_id, olds, news) {
    const files = await pmgHost(news.sshHost, news.sshPort);
    return { outs: await converge(files, news, Number(olds.writes ?? 0)) };
  },

  async delete(_id, props) {
    const files = await pmgHost(props.sshHost, props.sshPort);
    await files.remove(DB_PATH);
    await files.remove(SASL_PATH);
  },
};

/** Smarthost and login as the file's first entry states them (`host:port user:password`), for drift. */
function parseFirstEntry(text: string): Partial<Inputs> {
  const line = text.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#"));
  const m = line && /^\[?([^\]\s]+?)\]?:(\d+)\s+([^:\s]*):/.exec(line);
  return m ? { relayHost: m[1], relayPort: Number(m[2]), username: m[3] } : {};
}
