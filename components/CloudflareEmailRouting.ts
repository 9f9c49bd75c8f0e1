import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface CloudflareEmailRoutingArgs {
  /** The zone's id. */
  readonly zoneId: string;
  /** The zone's domain (FQDN of its apex). */
  readonly domain: string;
  /** Address -> destination mailbox, for the addresses in this zone. One rule each. */
  readonly routes: Record<string, pulumi.Input<string>>;
  /** Resources Email Routing must wait for: the merged SPF record, so it never adds a second one. */
  readonly enableAfter?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Email Routing on one zone: enabled once (protected: deleting it disables routing and drops the
 * MX records Cloudflare manages), and one forwarding rule per routed address. Cloudflare processes
 * only the most recent rule for an address, so there is never more than one.
 */
export class CloudflareEmailRouting extends pulumi.ComponentResource {
  readonly routing: cloudflare.EmailRoutingDns;
  readonly rules: cloudflare.EmailRoutingRule[];

  constructor(name: string, args: CloudflareEmailRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:cloudflare:CloudflareEmailRouting", name, {}, opts);
    this.routing = new cloudflare.EmailRoutingDns(
      `${name}-routing`,
      { zoneId: args.zoneId, name: args.domain },
      { parent: this, protect: true, dependsOn: args.enableAfter },
    );
    this.rules = Object.entries(args.routes).map(
      ([address, destination]) =>
        new cloudflare.EmailRoutingRule(
          `${name}-rule-${address}`,
          {
            zoneId: args.zoneId,
            name: `${address} (homelab-mail)`,
            enabled: true,
            matchers: [{ type: "literal", field: "to", value: address }],
            // `values`, not `value`: the bridge renames Terraform's list (the doc comment's example is wrong).
            actions: [{ type: "forward", values: [destination] }],
          },
          { parent: this, dependsOn: [this.routing] },
        ),
    );
    this.registerOutputs({ status: this.routing.status });
  }
}
