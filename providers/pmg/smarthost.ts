import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validate";
import { shimProvider } from "../shim";
import { sectionProvider } from "./options";

export const KIND = "pmg:PmgSmarthost";

export interface PmgSmarthostArgs {
  /** PMG API endpoint, `https://host:8006`. */
  readonly endpoint: pulumi.Input<string>;
  /** Host every outgoing mail is delivered to (PMG `smarthost`, postfix `default_transport`). */
  readonly host: pulumi.Input<string>;
  /** Its port (PMG `smarthostport`). Default 25 when unset. */
  readonly port?: pulumi.Input<number>;
}

/**
 * PMG's outbound smarthost (/config/mail `smarthost`, `smarthostport`). PMG's `relay` is a different
 * thing: the default next hop for *incoming* mail of relay domains without a transport.
 * PMG has no smarthost authentication setting; the SASL map comes from the PMG host over SSH.
 */
export class PmgSmarthost extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly host: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number | null>;
  /**
   * PMG's internal port (`int_port`, default 26): the one that trusts pmg.trustedNetworks. PMG's
   * master.cf.in gives the external port (`ext_port`, 25) `-o mynetworks=127.0.0.0/8,[int_ip]` and the
   * inbound filter; only mail in on `int_port` is relayed for the trusted networks, marked trusted
   * and DKIM-signed by pmg-smtp-filter (issue 16 item 1).
   */
  declare readonly internalPort: pulumi.Output<number>;

  constructor(name: string, args: PmgSmarthostArgs, opts?: pulumi.CustomResourceOptions) {
    super(shimProvider(KIND), name, { ...args, internalPort: undefined }, opts, "pmg", "PmgSmarthost");
  }
}

export const provider = sectionProvider({
  section: "mail",
  noun: "smarthost",
  options: {
    host: { param: "smarthost", type: "string", validate: v.host },
    port: { param: "smarthostport", type: "integer", validate: v.port },
  },
  reads: { internalPort: { param: "int_port", fallback: 26 } },
});
