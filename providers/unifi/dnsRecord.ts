import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { settings } from "../context";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { ensureRecord } from "./ensure";
import * as rules from "./records";
import { unifiSurface } from "./settings";
import { rewrite, type ApiName } from "./surface";

export const KIND = "unifi:UnifiDnsRecord";

export interface UnifiDnsRecordArgs {
  /** The console, `https://<console>` (UniFi OS). */
  readonly endpoint: pulumi.Input<string>;
  /** The site's short name. Default `default`. */
  readonly site?: pulumi.Input<string>;
  /** Fully qualified name, such as `pmg.lab.local`. */
  readonly name: pulumi.Input<string>;
  /** `A`, `AAAA` or `CNAME`. */
  readonly type: pulumi.Input<rules.RecordType>;
  /** An IPv4 address (A), an IPv6 address (AAAA) or a target name (CNAME). */
  readonly value: pulumi.Input<string>;
  /** Seconds, 0-65535. Default: the console's own, and then not compared. */
  readonly ttl?: pulumi.Input<number>;
  /** Default true; a record disabled by hand shows as drift. */
  readonly enabled?: pulumi.Input<boolean>;
}

/** One local DNS record on a UniFi console, on whichever API surface the console speaks. */
export class UnifiDnsRecord extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly site: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly value: pulumi.Output<string>;
  declare readonly ttl: pulumi.Output<number>;
  declare readonly enabled: pulumi.Output<boolean>;
  /** The surface that holds the record, `v2` or `integration`: its id is valid only there. */
  declare readonly api: pulumi.Output<string>;
  /** The console's id of the record; changes when a console without PUT re-creates it. */
  declare readonly recordId: pulumi.Output<string>;

  constructor(name: string, args: UnifiDnsRecordArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shimProvider(KIND),
      name,
      { ...args, api: undefined, recordId: undefined },
      opts,
      "unifi",
      "UnifiDnsRecord",
    );
  }
}

export interface Inputs {
  endpoint: string;
  site: string;
  name: string;
  type: rules.RecordType;
  value: string;
  ttl?: number;
  enabled: boolean;
}
export interface Outputs extends Inputs {
  ttl: number;
  api: ApiName;
  recordId: string;
}

const PROPS = ["endpoint", "site", "name", "type", "value", "ttl", "enabled"];
const REPLACE = ["endpoint", "site", "name", "type"] as const;

const specOf = (i: Inputs): rules.RecordSpec => ({
  name: i.name,
  type: i.type,
  value: i.value,
  ttl: i.ttl,
  enabled: i.enabled,
});
const place = (i: Inputs) => ({ endpoint: i.endpoint, site: i.site });
/** The Pulumi id is the record's natural key: the console's own id may change under an update. */
const idOf = (i: Inputs) => `${i.site}/${i.name}/${i.type}`;

function outsOf(i: Inputs, api: ApiName, r: rules.ListedRecord): Outputs {
  const type = (
    rules.RECORD_TYPES.includes(r.type as rules.RecordType) ? r.type : i.type
  ) as rules.RecordType;
  return {
    endpoint: i.endpoint,
    site: i.site,
    name: rules.normalizeName(r.name),
    type,
    value: rules.normalizeValue(type, r.value),
    ttl: r.ttl,
    enabled: r.enabled,
    api,
    recordId: r.id,
  };
}

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const inputs = { ...news, site: news.site ?? "default", enabled: news.enabled ?? true } as Inputs &
      Record<string, unknown>;
    const judge = (property: string, problem: v.Problem) => {
      if (problem && !v.isUnknown(inputs[property])) failures.push({ property, reason: problem });
    };
    judge("endpoint", v.endpoint(inputs.endpoint));
    judge("site", rules.siteName(inputs.site));
    judge("name", rules.recordName(inputs.name));
    judge("type", rules.recordType(inputs.type));
    if (!v.isUnknown(inputs.type)) judge("value", rules.recordValue(inputs.type, inputs.value));
    judge("ttl", rules.recordTtl(inputs.ttl));
    judge(
      "enabled",
      typeof inputs.enabled === "boolean"
        ? undefined
        : `must be true or false, got ${JSON.stringify(inputs.enabled)}`,
    );
    for (const k of Object.keys(news)) {
      if (k !== "__provider" && !PROPS.includes(k))
        failures.push({ property: k, reason: "is not a property of this resource" });
    }
    if (failures.length === 0) {
      if (!v.isUnknown(inputs.name)) inputs.name = rules.normalizeName(inputs.name);
      if (!v.isUnknown(inputs.value) && !v.isUnknown(inputs.type))
        inputs.value = rules.normalizeValue(inputs.type, inputs.value);
      if (inputs.type === "CNAME" && inputs.value === inputs.name)
        failures.push({ property: "value", reason: "must not be the record's own name" });
    }
    return { inputs, failures };
  },

  async diff(_id, olds, news) {
    const differs = (k: keyof Inputs) => v.isUnknown(news[k]) || olds[k] !== news[k];
    const replaces = REPLACE.filter(differs);
    const changed: string[] = (["value", "enabled"] as const).filter(differs);
    if (news.ttl !== undefined && differs("ttl")) changed.push("ttl");
    // Same name, new type: the old record goes first, because a CNAME beside another record of its name stops dnsmasq.
    const deleteBeforeReplace = replaces.length > 0 && replaces.every((k) => k === "type");
    return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace };
  },

  async create(inputs) {
    const surface = await unifiSurface(inputs.endpoint, inputs.site);
    const record = await ensureRecord(
      surface,
      specOf(inputs),
      place(inputs),
      (await settings()).adoptExisting,
    );
    return { id: idOf(inputs), outs: outsOf(inputs, surface.api, record) };
  },

  async read(id, props) {
    const olds = props as Outputs;
    const surface = await unifiSurface(olds.endpoint, olds.site ?? "default", olds.api);
    const found = (await surface.list()).find((r) => r.id === olds.recordId);
    if (!found) return gone();
    const outs = outsOf(olds, surface.api, found);
    const { api: _api, recordId: _recordId, ...inputs } = outs;
    // The SDK types read's inputs as Outputs; they are the inputs that reproduce these outputs.
    return { id, props: outs, inputs: inputs as Outputs };
  },

  async update(_id, olds, news) {
    const surface = await unifiSurface(news.endpoint, news.site, olds.api);
    const current = (await surface.list()).find((r) => r.id === olds.recordId);
    const record = current
      ? // An undeclared ttl is the console's business: keep the one it has.
        await rewrite(surface, current.id, { ...specOf(news), ttl: news.ttl ?? current.ttl })
      : // Deleted by hand since the last refresh: put it back, judging whatever stands there now.
        await ensureRecord(surface, specOf(news), place(news), (await settings()).adoptExisting);
    return { outs: outsOf(news, surface.api, record) };
  },

  async delete(_id, props) {
    if (!props.recordId) return;
    const surface = await unifiSurface(props.endpoint, props.site ?? "default", props.api);
    await surface.remove(props.recordId);
  },
};
