import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { shimProvider } from "../shim";
import { entryProvider } from "./entries";

export const KIND = "pmg:PmgDkimDomain";

export interface PmgDkimDomainArgs {
  /** PMG API endpoint, `https://host:8006`. */
  readonly endpoint: pulumi.Input<string>;
  /** Domain whose outbound mail PMG signs (suffix match, so it also covers its subdomains). */
  readonly domain: pulumi.Input<string>;
  /** Free text shown in PMG's GUI. Undefined: not managed (an existing entry keeps its own; created without). */
  readonly comment?: pulumi.Input<string>;
}

/** One DKIM signing domain (/config/dkim/domains). */
export class PmgDkimDomain extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly domain: pulumi.Output<string>;
  declare readonly comment: pulumi.Output<string>;

  constructor(name: string, args: PmgDkimDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super(shimProvider(KIND), name, { ...args }, opts, "pmg", "PmgDkimDomain");
  }
}

export const provider = entryProvider({
  noun: "DKIM signing domain",
  collection: "/config/dkim/domains",
  key: "domain",
  validateKey: v.mailDomain,
  normalizeKey: (d) => d.toLowerCase(),
  fields: { comment: { type: "string", validate: v.comment, label: true } },
  alwaysPut: ["comment"],
});
