/**
 * StalwartPrincipal: a domain or a mailbox account on Stalwart, through whichever management API the
 * server speaks (model.ts). Accounts carry their own password as a secret output: from config when
 * set, else generated once; it is never an input. Renames and address changes update in place, and
 * a delete that would destroy mail is refused unless the resource allows it (lifecycle.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { checkPrincipal, INPUT_KEYS, type PrincipalInputs } from "./check";
import { adoptOrCreate, guardDelete, passwordState } from "./lifecycle";
import { differences, resolveSpec, type Locator, type PrincipalRecord, type StalwartApi } from "./model";
import { generatePassword } from "./passwords";
import { plainHttpOverNetwork, plainHttpProblem } from "../../lib/config/plainHttp";
import { systemSettings } from "../context";
import { configuredPassword, diskQuotasRecalculated, stalwartApi, type StalwartSettings } from "./settings";

export const KIND = "stalwart:StalwartPrincipal";

export interface StalwartPrincipalArgs {
  /** Stalwart's HTTP endpoint, `http://mail.lab:8080`; credentials come from stack config. */
  readonly endpoint: pulumi.Input<string>;
  /** `domain` or `individual` (a mailbox account). Changing it replaces the principal. */
  readonly type: pulumi.Input<"domain" | "individual">;
  /** Domain name, or the account name (its IMAP login up to 0.15). Lowercased. Renaming is in place. */
  readonly name: pulumi.Input<string>;
  /** Individuals: addresses, primary first (the login from 0.16). Each domain must exist. */
  readonly emails?: pulumi.Input<pulumi.Input<string>[]>;
  /** Free text. Undefined: not managed (an existing principal keeps its own; a new one has none). */
  readonly description?: pulumi.Input<string>;
  /** Individuals: role names. Default [user], which IMAP login needs. */
  readonly roles?: pulumi.Input<pulumi.Input<string>[]>;
  /** Individuals: disk quota in bytes. Default 0, unlimited. */
  readonly quota?: pulumi.Input<number>;
  /** Individuals: groups (names up to 0.15, group addresses from 0.16). Default none. */
  readonly memberOf?: pulumi.Input<pulumi.Input<string>[]>;
  /** Individuals: let `delete` destroy a mailbox that holds mail. Default false: such a delete is refused. */
  readonly allowMailboxDeletion?: pulumi.Input<boolean>;
}

/** A Stalwart domain or mailbox account, on the REST API (0.10-0.15) or JMAP (0.16+) alike. */
export class StalwartPrincipal extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly emails: pulumi.Output<string[]>;
  declare readonly description: pulumi.Output<string>;
  declare readonly roles: pulumi.Output<string[]>;
  declare readonly quota: pulumi.Output<number>;
  declare readonly memberOf: pulumi.Output<string[]>;
  declare readonly allowMailboxDeletion: pulumi.Output<boolean>;
  /** The server's id (a number up to 0.15, an opaque id from 0.16). */
  declare readonly principalId: pulumi.Output<string>;
  /** `rest` or `jmap`: the API the server spoke at the last write or refresh. */
  declare readonly api: pulumi.Output<string>;
  /** Individuals: what IMAP logs in with (the name up to 0.15, the primary address from 0.16). */
  declare readonly loginName: pulumi.Output<string | undefined>;
  /** Individuals: the account's password (from config, else generated once). Always secret. */
  declare readonly password: pulumi.Output<string | undefined>;
  /** Whether the stored password no longer verifies (0.10-0.15 only; 0.16 masks passwords). */
  declare readonly passwordDrift: pulumi.Output<boolean>;
  /** Individuals on 0.10-0.15: the stored hash the password last verified against. Always secret. */
  declare readonly verifiedHash: pulumi.Output<string | undefined>;

  constructor(name: string, args: StalwartPrincipalArgs, opts?: pulumi.CustomResourceOptions) {
    const outputsOnly = {
      principalId: undefined,
      api: undefined,
      loginName: undefined,
      password: undefined,
      passwordDrift: undefined,
      verifiedHash: undefined,
    };
    // The password output is secret in state (the provider host cannot mark secrets itself); domains have none.
    const passwordOutput = args.type === "domain" ? [] : ["password", "verifiedHash"];
    const secret = {
      ...opts,
      additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...passwordOutput],
    };
    super(shimProvider(KIND), name, { ...args, ...outputsOnly }, secret, "stalwart", "StalwartPrincipal");
  }
}

export interface PrincipalOutputs extends PrincipalInputs {
  readonly principalId: string;
  readonly api: StalwartApi["generation"];
  readonly loginName?: string;
  readonly password?: string;
  readonly passwordDrift: boolean;
  readonly verifiedHash?: string;
  /** Domains on 0.16: Stalwart's DKIM management, `Manual` once this program has set it (PMG signs). */
  readonly dkimManagement?: string;
  /** Migrated from ≤0.15 to 0.16 and its usage counter not yet recalculated (lifecycle.ts `guardDelete`). */
  readonly usageCountersReset?: boolean;
}

const locator = (p: PrincipalOutputs, id: string): Locator => ({
  type: p.type,
  name: p.name,
  emails: p.emails ?? [],
  principalId: p.principalId ?? id,
  api: p.api,
});

async function outputs(
  inputs: PrincipalInputs,
  rec: PrincipalRecord,
  api: StalwartApi,
  password?: string,
  knownHash?: string,
  countersReset = false,
): Promise<PrincipalOutputs> {
  const base = {
    ...pick(inputs),
    name: rec.name,
    emails: rec.emails,
    description: rec.description,
    roles: rec.roles,
    quota: rec.quota,
    memberOf: rec.memberOf,
    principalId: rec.principalId,
    api: api.generation,
    ...(countersReset ? { usageCountersReset: true } : {}),
    ...(rec.dkimManagement !== undefined ? { dkimManagement: rec.dkimManagement } : {}),
  };
  if (rec.type !== "individual" || password === undefined) return { ...base, passwordDrift: false };
  const state = await passwordState(rec, password, knownHash);
  const out = { ...base, loginName: api.loginName(rec), password, passwordDrift: state !== "match" };
  // Remember the hash that verified, so the next refresh need not hash again (sha512-crypt is slow in JS).
  return state === "match" && typeof rec.storedPassword === "string"
    ? { ...out, verifiedHash: rec.storedPassword }
    : out;
}

function pick(p: PrincipalInputs): PrincipalInputs {
  return Object.fromEntries(INPUT_KEYS.map((k) => [k, p[k]])) as unknown as PrincipalInputs;
}

/**
 * Whether the account's usage counter cannot be trusted: state written on ≤0.15 now read on 0.16
 * means the server was migrated, and the migration zeroes every counter (UPGRADING/v0_16.md, Step 2
 * "Disk quotas") until the admin runs "Recalculate disk quotas" and says so in config.
 */
async function countersReset(p: Partial<PrincipalOutputs>, api: StalwartApi): Promise<boolean> {
  if (p.type !== "individual" || api.generation !== "jmap") return false;
  if (p.api !== "rest" && p.usageCountersReset !== true) return false;
  return !(await diskQuotasRecalculated());
}

/** The id a listing knows the located principal by: ids from another API generation mean nothing. */
function listingKey(at: Locator, api: StalwartApi): string | undefined {
  return at.api === undefined || at.api === api.generation ? at.principalId : undefined;
}

/** Whether a listed record is the located principal: its type, and its name where the listing has one (REST). */
function same(listed: PrincipalRecord, at: Locator): boolean {
  return listed.type === at.type && (listed.name === "" || listed.name === at.name);
}

/** Whether the delete guard lets a listed record go. */
function passes(listed: PrincipalRecord, props: PrincipalOutputs, reset: boolean): boolean {
  try {
    guardDelete(listed, props, undefined, reset);
    return true;
  } catch {
    return false;
  }
}

/** The desired password: from config when set, else the one already in state, else a new one. */
async function desiredPassword(name: string, olds?: Partial<PrincipalOutputs>): Promise<string> {
  return (await configuredPassword(name)) ?? olds?.password ?? generatePassword();
}

export const provider: pulumi.dynamic.ResourceProvider<PrincipalInputs, PrincipalOutputs> = {
  async check(_olds, news) {
    const r = checkPrincipal(news as unknown as Record<string, unknown>);
    // Plain http off loopback only when the stack config acknowledges it (issue 14; lib/config/plainHttp.ts).
    if (typeof news.endpoint === "string" && plainHttpOverNetwork(news.endpoint)) {
      const allowed = await systemSettings<StalwartSettings>("stalwart").then(
        (s) => s.allowPlainHttp,
        () => false,
      );
      const problem = plainHttpProblem(news.endpoint, allowed);
      if (problem && !r.failures.some((f) => f.property === "endpoint"))
        r.failures.push({ property: "endpoint", reason: problem });
    }
    return { inputs: r.inputs as unknown as PrincipalInputs, failures: r.failures };
  },

  async diff(_id, olds, news) {
    const replaces = v.isUnknown(news.type) || news.type !== olds.type ? ["type"] : [];
    const unknown = INPUT_KEYS.some(
      (k) => v.isUnknown(news[k]) || (Array.isArray(news[k]) && (news[k] as unknown[]).some(v.isUnknown)),
    );
    let changes = replaces.length > 0 || unknown || differences(news, resolveSpec(olds)).length > 0;
    // The endpoint is only how the server is reached: a new URL for the same server is no reason to replace a mailbox.
    changes ||= news.endpoint !== olds.endpoint || news.allowMailboxDeletion !== olds.allowMailboxDeletion;
    // A 0.16 domain read with Stalwart's own DKIM management (adopted, migrated, or switched by hand) is set back to Manual.
    changes ||= olds.dkimManagement !== undefined && olds.dkimManagement !== "Manual";
    if (news.type === "individual" && !unknown) {
      changes ||= olds.passwordDrift === true || (await desiredPassword(news.name, olds)) !== olds.password;
    }
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const api = await stalwartApi(inputs.endpoint);
    const configured = await configuredPassword(inputs.name);
    const password = inputs.type === "individual" ? (configured ?? generatePassword()) : undefined;
    const rec = await adoptOrCreate(api, inputs, password, configured !== undefined);
    return { id: rec.principalId, outs: await outputs(inputs, rec, api, password) };
  },

  async read(id, props) {
    if (!props) return gone();
    const api = await stalwartApi(props.endpoint);
    const at = locator(props, id);
    // Beside other reads, a recent listing may answer for this one (census.ts).
    const rec = await api.census.read.run(listingKey(at, api), async (listed) =>
      listed && same(listed, at) ? { ...listed, name: at.name } : api.find(at),
    );
    if (!rec) return gone();
    const outs = await outputs(
      props,
      rec,
      api,
      props.password,
      props.verifiedHash,
      await countersReset(props, api),
    );
    // Typed as outputs by the SDK, but these are the inputs the next diff compares against.
    return { id, props: outs, inputs: pick(outs) as PrincipalOutputs };
  },

  async update(id, olds, news) {
    const api = await stalwartApi(news.endpoint);
    const password = news.type === "individual" ? await desiredPassword(news.name, olds) : undefined;
    const current = await api.find(locator(olds, id));
    // Deleted by hand since the last refresh: its mail is gone already; make the address deliverable again.
    if (!current)
      return { outs: await outputs(news, await api.create(resolveSpec(news), password), api, password) };
    const setPassword =
      password !== undefined &&
      ((await passwordState(current, password)) !== "match" || password !== olds.password);
    const rec = await api.update(current, resolveSpec(news, current), setPassword ? password : undefined);
    return { outs: await outputs(news, rec, api, password, undefined, await countersReset(olds, api)) };
  },

  async delete(id, props) {
    const api = await stalwartApi(props.endpoint);
    const at = locator(props, id);
    const reset = await countersReset(props, api);
    // Beside other deletes, a recent listing may stand in for this one's read, but only to let it go
    // ahead: anything it would refuse, or does not match exactly, is read again (census.ts).
    await api.census.delete.run(listingKey(at, api), async (listed) => {
      const current =
        listed && same(listed, at) && passes(listed, props, reset) ? listed : await api.find(at);
      if (!current) return;
      guardDelete(current, props, undefined, reset);
      await api.remove(current).catch((e: unknown) => guardDelete(current, props, e));
    });
  },
};
