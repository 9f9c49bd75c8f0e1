import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { shimProvider } from "../shim";
import { entryProvider } from "./entries";

export const KIND = "pmg:PmgTrustedNetwork";

export interface PmgTrustedNetworkArgs {
  /** PMG API endpoint, `https://host:8006`. */
  readonly endpoint: pulumi.Input<string>;
  /** Network allowed to relay through PMG without authentication, canonical CIDR (`192.0.2.0/24`). */
  readonly cidr: pulumi.Input<string>;
  /** Free text shown in PMG's GUI. Undefined: not managed (an existing entry keeps its own; created without). */
  readonly comment?: pulumi.Input<string>;
}

/** One entry of PMG's trusted networks (/config/mynetworks, postfix `mynetworks`). */
export class PmgTrustedNetwork extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly cidr: pulumi.Output<string>;
  declare readonly comment: pulumi.Output<string>;

  constructor(name: string, args: PmgTrustedNetworkArgs, opts?: pulumi.CustomResourceOptions) {
    super(shimProvider(KIND), name, { ...args }, opts, "pmg", "PmgTrustedNetwork");
  }
}

// PMG stores the key exactly as posted ("2001:DB8::/32" and "2001:db8::/32" differ), so only the
// canonical form is accepted and the key never flaps.
export const provider = entryProvider({
  noun: "trusted network",
  collection: "/config/mynetworks",
  key: "cidr",
  validateKey: v.cidr,
  fields: { comment: { type: "string", validate: v.comment, label: true } },
  alwaysPut: ["comment"],
});
