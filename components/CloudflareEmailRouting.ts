import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { RulePlan } from "../lib/cloudflarePlan";

export interface CloudflareEmailRoutingArgs {
  /** The zone's id. */
  readonly zoneId: string;
  /** Email Routing is on already (the API said so at the start of this run): adopt it, never enable twice. */
  readonly enabled: boolean;
  /** The rules to declare: only to verified destinations (lib/cloudflarePlan.ts). */
  readonly rules: RulePlan[];
  /** The destination address resources, by email: each rule waits for its own. */
  readonly destinations: Record<string, pulumi.Resource>;
}

/**
 * Email Routing on one zone: enabled once, and one forwarding rule per routed address whose
 * destination is verified.
 *
 * Enabling sends no `name`. The API schema makes it optional (request body of
 * `email-routing-settings-enable-email-routing-dns`), and the apex as `name` is refused with
 * 422/2007 in terraform-provider-cloudflare#5890; without it the zone itself is enabled either way.
 * `ignoreChanges: ["name"]`: the provider's Update is `PATCH /email/routing/dns`, "Unlock MX Records
 * previously locked by Email Routing" (provider v5.22.0 email_routing_dns/resource.go), so no change
 * of this resource may ever plan an update (a stack made by an older version of this program had
 * `name` set). Protected: deleting it disables routing and drops Cloudflare's MX records.
 */
export class CloudflareEmailRouting extends pulumi.ComponentResource {
  readonly routing: cloudflare.EmailRoutingDns;
  readonly rules: cloudflare.EmailRoutingRule[];

  constructor(name: string, args: CloudflareEmailRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:cloudflare:CloudflareEmailRouting", name, {}, opts);
    this.routing = new cloudflare.EmailRoutingDns(
      `${name}-routing`,
      { zoneId: args.zoneId },
      {
        parent: this,
        protect: true,
        ignoreChanges: ["name", "subdomain"],
        // The provider's import id is the zone id (email_routing_dns ImportState).
        import: args.enabled ? args.zoneId : undefined,
      },
    );
    this.rules = args.rules.map(
      (r) =>
        new cloudflare.EmailRoutingRule(
          `${name}-rule-${r.address}`,
          {
            zoneId: args.zoneId,
            name: r.name,
            enabled: true,
            priority: r.priority,
            matchers: [{ type: "literal", field: "to", value: r.address }],
            // `values`, not `value`: the bridge renames Terraform's list (the doc comment's example is wrong).
            actions: [{ type: "forward", values: [r.destination] }],
          },
          { parent: this, dependsOn: [this.routing, args.destinations[r.destination]], import: r.importId },
        ),
    );
    this.registerOutputs({ status: this.routing.status });
  }
}
