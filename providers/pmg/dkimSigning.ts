import * as pulumi from "@pulumi/pulumi";
import { shimProvider } from "../shim";
import { sectionProvider } from "./options";

export const KIND = "pmg:PmgDkimSigning";

export interface PmgDkimSigningArgs {
  /** PMG API endpoint, `https://host:8006`. */
  readonly endpoint: pulumi.Input<string>;
  /** Sign outbound mail from trusted networks (/config/admin `dkim_sign`). */
  readonly enabled: pulumi.Input<boolean>;
  /** Pick the signing domain from the `header` From or the `envelope` sender (PMG 8.1+). Default envelope. */
  readonly useDomain?: pulumi.Input<"header" | "envelope">;
}

/**
 * DKIM signing on or off. Make it depend on the published DNS record: mail signed with a key
 * that DNS does not yet serve fails DKIM at every receiver. Deleting it turns signing off.
 */
export class PmgDkimSigning extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly useDomain: pulumi.Output<string | null>;

  constructor(name: string, args: PmgDkimSigningArgs, opts?: pulumi.CustomResourceOptions) {
    super(shimProvider(KIND), name, { ...args }, opts, "pmg", "PmgDkimSigning");
  }
}

export const provider = sectionProvider({
  section: "admin",
  noun: "DKIM signing",
  options: {
    enabled: { param: "dkim_sign", type: "boolean" },
    useDomain: {
      param: "dkim-use-domain",
      type: "string",
      validate: (x) => (x === "header" || x === "envelope" ? undefined : "must be header or envelope"),
    },
  },
});
