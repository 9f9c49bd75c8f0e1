import * as pulumi from "@pulumi/pulumi";
import type { MailChainConfig } from "../lib/config";
import { PmgGateway } from "./PmgGateway";

export interface MailChainArgs {
  /** The validated stack configuration. */
  readonly config: MailChainConfig;
}

/** The whole mail chain, wired from the validated config in the order one `pulumi up` needs. */
export class MailChain extends pulumi.ComponentResource {
  readonly pmg: PmgGateway;
  /** Outputs other stacks read (README, "Stack outputs"). */
  readonly smtpRelay: { host: string; port: number };
  readonly dkim: pulumi.Output<{ name: string; value: string }>;

  constructor(name: string, args: MailChainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:mail:MailChain", name, {}, opts);
    const { config } = args;
    this.pmg = new PmgGateway(`${name}-pmg`, { pmg: config.pmg, domains: config.domains.map((d) => d.name) }, { parent: this });
    this.smtpRelay = { host: new URL(config.pmg.endpoint).hostname, port: 25 };
    this.dkim = pulumi.output({ name: this.pmg.dkimRecordName, value: this.pmg.dkimTxtValue });
    this.registerOutputs({ smtpRelay: this.smtpRelay, dkim: this.dkim });
  }
}
