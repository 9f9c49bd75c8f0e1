/**
 * One TXT record of the mail chain on a Cloudflare zone (the apex SPF, a DKIM key, DMARC), owned so
 * that there is exactly one record of its kind at its name, whatever else wrote there:
 *  - create adopts what exists instead of adding a second record: an identical record (the guide's
 *    hand-made DKIM TXT), or an SPF record the declared one fully covers (the one Cloudflare adds or
 *    rewrites on enable, terraform-provider-cloudflare#6444); anything else is refused unless
 *    `homelab-mail:adoptExisting` is true. Other records of the same kind at the name are deleted.
 *  - diff reads the record live, so `pulumi up` repairs content Cloudflare changed behind the state
 *    (no `--refresh` needed), and a second record of its kind that appeared since.
 * Calls: `GET/POST /zones/{zone}/dns_records`, `PATCH/DELETE /zones/{zone}/dns_records/{id}`
 * (api-schemas `dns-records-for-a-zone-*`; the same the provider's dns_record resource makes).
 */
import * as pulumi from "@pulumi/pulumi";
import { AdoptionRefusedError } from "../../lib/errors";
import * as v from "../../lib/validate";
import { settings } from "../context";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { CloudflareApiError, type CloudflareClient } from "./client";
import { cloudflareClient } from "./settings";
import { isKind, losesNothing, sameMeaning, TXT_KINDS, txtValue, type TxtKind } from "./txt";

export const KIND = "cloudflare:CloudflareTxtRecord";

export interface CloudflareTxtRecordArgs {
  readonly zoneId: pulumi.Input<string>;
  /** FQDN, as the API returns names. */
  readonly name: pulumi.Input<string>;
  readonly kind: pulumi.Input<TxtKind>;
  /** Presentation form (lib/records.ts formatTxtContent). */
  readonly content: pulumi.Input<string>;
  /** Seconds; 1 is automatic. */
  readonly ttl: pulumi.Input<number>;
  readonly comment: pulumi.Input<string>;
}

export class CloudflareTxtRecord extends pulumi.dynamic.Resource {
  declare readonly zoneId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;
  /** Cloudflare's id of the record. */
  declare readonly recordId: pulumi.Output<string>;
  /** `created`, or what the record was before it was taken over (`adopted: <old value>`). */
  declare readonly origin: pulumi.Output<string>;

  constructor(name: string, args: CloudflareTxtRecordArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shimProvider(KIND),
      name,
      { ...args, recordId: undefined, origin: undefined },
      opts,
      "cloudflare",
      "CloudflareTxtRecord",
    );
  }
}

export interface Inputs {
  zoneId: string;
  name: string;
  kind: TxtKind;
  content: string;
  ttl: number;
  comment: string;
}
export interface Outputs extends Inputs {
  recordId: string;
  origin: string;
}

interface Live {
  id: string;
  name: string;
  content: string;
  ttl: number;
  comment: string | null;
}

const PROPS = ["zoneId", "name", "kind", "content", "ttl", "comment"];
const records = (zoneId: string) => `/zones/${zoneId}/dns_records`;

async function sameKind(api: CloudflareClient, i: Inputs): Promise<Live[]> {
  const all = await api.list<Live>(`${records(i.zoneId)}?type=TXT&name=${encodeURIComponent(i.name)}`);
  return all.filter((r) => r.name === i.name && isKind(i.kind, r.content));
}

/** Makes `keep` hold the declared record and removes every other record of its kind at the name. */
async function converge(api: CloudflareClient, i: Inputs, keepId: string | undefined): Promise<Outputs> {
  const found = await sameKind(api, i);
  const adoptExisting = (await settings()).adoptExisting;
  const keep =
    found.find((r) => r.id === keepId) ??
    found.find((r) => sameMeaning(i.kind, r.content, i.content)) ??
    found[0];
  for (const r of found) {
    if (r.id === keepId || adoptExisting || losesNothing(i.kind, r.content, i.content)) continue;
    throw new AdoptionRefusedError(
      `cloudflare: ${i.name} already has the ${i.kind} record ${JSON.stringify(txtValue(r.content))} (id ${r.id}), ` +
        `which differs from the declared ${JSON.stringify(txtValue(i.content))}; a second one would break ${i.kind}. ` +
        `Take it over with: pulumi config set homelab-mail:adoptExisting true, pulumi up, then pulumi config rm homelab-mail:adoptExisting`,
    );
  }
  const body = { type: "TXT", name: i.name, content: i.content, ttl: i.ttl, comment: i.comment };
  let record: Live;
  let origin = "created";
  if (!keep) record = await api.post<Live>(records(i.zoneId), body);
  else {
    if (keep.id !== keepId) origin = `adopted: ${txtValue(keep.content)}`;
    record = await api.patch<Live>(`${records(i.zoneId)}/${keep.id}`, body);
  }
  for (const r of found) if (r.id !== record.id) await api.delete(`${records(i.zoneId)}/${r.id}`);
  return { ...i, content: record.content, recordId: record.id, origin };
}

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const known = (k: string) => !v.isUnknown((news as unknown as Record<string, unknown>)[k]);
    if (known("zoneId") && !/^[0-9a-f]{32}$/.test(String(news.zoneId)))
      failures.push({ property: "zoneId", reason: "must be the zone's 32-character hex id" });
    if (known("name") && !/^[a-z0-9_.-]+$/.test(String(news.name)))
      failures.push({ property: "name", reason: "must be a lower-case FQDN" });
    if (known("kind") && !TXT_KINDS.includes(news.kind))
      failures.push({ property: "kind", reason: `must be one of ${TXT_KINDS.join(", ")}` });
    if (known("content") && known("kind") && !isKind(news.kind, String(news.content)))
      failures.push({ property: "content", reason: `is not a ${news.kind} record` });
    if (known("ttl") && !(news.ttl === 1 || (news.ttl >= 60 && news.ttl <= 86400)))
      failures.push({ property: "ttl", reason: "must be 1 (automatic) or 60-86400 seconds" });
    for (const k of Object.keys(news))
      if (k !== "__provider" && !PROPS.includes(k))
        failures.push({ property: k, reason: "is not a property of this resource" });
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    const replaces = (["zoneId", "name", "kind"] as const).filter((k) => olds[k] !== news[k]);
    const changed: string[] = (["content", "ttl", "comment"] as const).filter((k) => olds[k] !== news[k]);
    if (replaces.length === 0 && !changed.includes("content") && !v.isUnknown(news.content)) {
      // Live: Cloudflare may have rewritten the record (enable, #6444) or added a second one since.
      const found = await sameKind(await cloudflareClient(), news);
      const mine = found.find((r) => r.id === olds.recordId);
      if (!mine || mine.content !== news.content || found.length > 1) changed.push("content");
    }
    return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const outs = await converge(await cloudflareClient(), inputs, undefined);
    return { id: outs.recordId, outs };
  },

  async read(id, props) {
    const olds = props as Outputs;
    try {
      const r = await (await cloudflareClient()).get<Live>(`${records(olds.zoneId)}/${olds.recordId ?? id}`);
      const outs = { ...olds, content: r.content, ttl: r.ttl, comment: r.comment ?? "" };
      const { recordId: _r, origin: _o, ...inputs } = outs;
      return { id, props: outs, inputs: inputs as Outputs };
    } catch (e) {
      if (e instanceof CloudflareApiError && e.status === 404) return gone();
      throw e;
    }
  },

  async update(_id, olds, news) {
    const outs = await converge(await cloudflareClient(), news, olds.recordId);
    return { outs: { ...outs, origin: olds.origin } };
  },

  async delete(id, props) {
    try {
      await (await cloudflareClient()).delete(`${records(props.zoneId)}/${props.recordId ?? id}`);
    } catch (e) {
      if (!(e instanceof CloudflareApiError && e.status === 404)) throw e;
    }
  },
};
