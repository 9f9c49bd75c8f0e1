import * as pulumi from "@pulumi/pulumi";
import { nonGlobalBlock } from "../../lib/ipRanges";
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
  /**
   * Required for a public (globally routable) network: every host in it relays through PMG without
   * authentication. Never sent to PMG. Set from `homelab-mail:pmg.acknowledgePublicNetworks`.
   */
  readonly acknowledgePublic?: pulumi.Input<boolean>;
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
  localFields: {
    acknowledgePublic: (x) =>
      x === undefined || typeof x === "boolean"
        ? undefined
        : `must be true or false, got ${JSON.stringify(x)}`,
  },
  // The same rule as the stack config (lib/config/trustedNetworks.ts), for a program that builds
  // this resource itself: a public network is an open relay unless someone said it is theirs.
  checkEntry: (inputs) => {
    const cidr = inputs.cidr;
    if (typeof cidr !== "string" || v.isUnknown(cidr) || nonGlobalBlock(cidr)) return [];
    if (inputs.acknowledgePublic === true) return [];
    return [
      {
        property: "cidr",
        reason: `${cidr} is public (globally routable) address space: every host in it could relay mail through PMG without authentication (an open relay); trust private networks only, or set acknowledgePublic: true (homelab-mail:pmg.acknowledgePublicNetworks)`,
      },
    ];
  },
});
