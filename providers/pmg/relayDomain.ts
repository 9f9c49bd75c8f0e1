import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { shimProvider } from "../shim";
import { entryProvider } from "./entries";

export const KIND = "pmg:PmgRelayDomain";

export interface PmgRelayDomainArgs {
  /** PMG API endpoint, `https://host:8006`. */
  readonly endpoint: pulumi.Input<string>;
  /** Domain PMG accepts mail for (postfix `relay_domains`); lowercased. */
  readonly domain: pulumi.Input<string>;
  /** Free text shown in PMG's GUI. Undefined: not managed (an existing entry keeps its own; created without). */
  readonly comment?: pulumi.Input<string>;
}

/** One relay domain (/config/domains). */
export class PmgRelayDomain extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly domain: pulumi.Output<string>;
  declare readonly comment: pulumi.Output<string>;

  constructor(name: string, args: PmgRelayDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super(shimProvider(KIND), name, { ...args }, opts, "pmg", "PmgRelayDomain");
  }
}

// PMG does not fold case in keys; lowercasing here keeps one spelling on the server.
export const provider = entryProvider({
  noun: "relay domain",
  collection: "/config/domains",
  key: "domain",
  validateKey: v.mailDomain,
  normalizeKey: (d) => d.toLowerCase(),
  fields: { comment: { type: "string", validate: v.comment, label: true } },
  alwaysPut: ["comment"],
});
