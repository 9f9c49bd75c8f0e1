/**
 * One Email Routing destination address of the account, adopted when the account has it already.
 *
 * Not the provider's EmailRoutingAddress with the `import` option: its import id is
 * `<account_id>/<id>` (terraform-provider-cloudflare v5.22.0 email_routing_address ImportState) while
 * its state id is `<id>`, and Pulumi treats an `import` whose id differs from the one in state as an
 * import-replacement, deleting the old object (pulumi/pulumi pkg/resource/deploy/step_generator.go:
 * `isImport := goal.Custom && goal.ID != "" && (!hasOld || old.External || oldImportID != goal.ID)`).
 * An address this stack created would then be deleted on the next run, and with it every rule to it
 * disabled. Here create adopts an existing address by its email (a second create would answer 100640)
 * and nothing is ever imported.
 * Calls: `GET/POST /accounts/{a}/email/routing/addresses`, `GET/DELETE .../addresses/{id}`
 * (api-schemas `email-routing-destination-addresses-*`, the provider's calls).
 */
import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { gone } from "../gone";
import { shimProvider } from "../shim";
import { CloudflareApiError } from "./client";
import { cloudflareClient } from "./settings";

export const KIND = "cloudflare:CloudflareDestinationAddress";

export interface CloudflareDestinationAddressArgs {
  readonly accountId: pulumi.Input<string>;
  readonly email: pulumi.Input<string>;
}

export class CloudflareDestinationAddress extends pulumi.dynamic.Resource {
  declare readonly accountId: pulumi.Output<string>;
  declare readonly email: pulumi.Output<string>;
  /** Cloudflare's id of the address. */
  declare readonly addressId: pulumi.Output<string>;
  /** When its owner clicked the link, as of the last create or refresh; empty until then. */
  declare readonly verified: pulumi.Output<string>;
  /** `created`, or `adopted` when the account had it already. */
  declare readonly origin: pulumi.Output<string>;

  constructor(name: string, args: CloudflareDestinationAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shimProvider(KIND),
      name,
      { ...args, addressId: undefined, verified: undefined, origin: undefined },
      opts,
      "cloudflare",
      "CloudflareDestinationAddress",
    );
  }
}

export interface Inputs {
  accountId: string;
  email: string;
}
export interface Outputs extends Inputs {
  addressId: string;
  verified: string;
  origin: string;
}
interface Live {
  id: string;
  email: string;
  verified: string | null;
}

const path = (accountId: string) => `/accounts/${accountId}/email/routing/addresses`;
const outs = (i: Inputs, a: Live, origin: string): Outputs => ({
  ...i,
  addressId: a.id,
  verified: a.verified ?? "",
  origin,
});

export const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!v.isUnknown(news.accountId) && !/^[0-9a-f]{32}$/.test(String(news.accountId)))
      failures.push({ property: "accountId", reason: "must be the account's 32-character hex id" });
    if (!v.isUnknown(news.email) && v.email(news.email))
      failures.push({ property: "email", reason: String(v.email(news.email)) });
    for (const k of Object.keys(news))
      if (k !== "__provider" && k !== "accountId" && k !== "email")
        failures.push({ property: k, reason: "is not a property of this resource" });
    const inputs = v.isUnknown(news.email) ? news : { ...news, email: String(news.email).toLowerCase() };
    return { inputs, failures };
  },

  async diff(_id, olds, news) {
    const replaces = (["accountId", "email"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const api = await cloudflareClient();
    const found = (await api.list<Live>(path(inputs.accountId))).find(
      (a) => a.email.toLowerCase() === inputs.email,
    );
    if (found) return { id: found.id, outs: outs(inputs, found, "adopted") };
    const made = await api.post<Live>(path(inputs.accountId), { email: inputs.email });
    return { id: made.id, outs: outs(inputs, made, "created") };
  },

  async read(id, props) {
    const olds = props as Outputs;
    try {
      const a = await (await cloudflareClient()).get<Live>(`${path(olds.accountId)}/${id}`);
      const o = outs(olds, a, olds.origin);
      return { id, props: o, inputs: { accountId: o.accountId, email: o.email } as Outputs };
    } catch (e) {
      if (e instanceof CloudflareApiError && e.status === 404) return gone();
      throw e;
    }
  },

  async delete(id, props) {
    try {
      await (await cloudflareClient()).delete(`${path(props.accountId)}/${id}`);
    } catch (e) {
      if (!(e instanceof CloudflareApiError && e.status === 404)) throw e;
    }
  },
};
