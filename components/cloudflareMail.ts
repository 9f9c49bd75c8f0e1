/**
 * The Cloudflare part of the chain, registered under the MailChain: per zone the mail records and,
 * where routing is configured, Email Routing with its rules; the account's destination addresses.
 *
 * What exists is read from the API on every preview and update (the provider's invokes
 * getEmailRoutingAddresses, getEmailRoutingRules, getEmailRoutingSettings) and decided by the pure
 * plan in lib/cloudflarePlan.ts: existing addresses are adopted, hand-made rules and routing imported,
 * nothing created twice; rules wait for verified destinations, so the first `pulumi up` never meets error 2054, and
 * `pendingSteps` says what to click. The resources that depend on the reads are registered once
 * they are known; invokes run during previews too, so `pulumi preview` lists them. The list invokes
 * page through up to 1000 items when `maxItems` is unset (terraform-provider-cloudflare v5.22.0
 * email_routing_address/list_data_source.go, email_routing_rule/list_data_source.go).
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { MailChainConfig } from "../lib/config";
import {
  pendingFromPlan,
  planDestinations,
  planZoneRules,
  type LiveAddress,
  type LiveRule,
} from "../lib/cloudflarePlan";
import type { DmarcPolicy, SpfPolicy } from "../lib/records";
import { routesByZone } from "../lib/routing";
import { CloudflareDestinationAddress } from "../providers/cloudflare/destinationAddress";
import { CloudflareEmailRouting } from "./CloudflareEmailRouting";
import { CloudflareMailRecords } from "./CloudflareMailRecords";

export interface CloudflareMailArgs {
  readonly config: MailChainConfig;
  readonly spf: SpfPolicy;
  readonly dmarcFor: (domain: string) => DmarcPolicy;
  readonly dkimName: string;
  readonly dkimValue: pulumi.Input<string>;
}

export interface CloudflareMail {
  /** Per domain, in config order. */
  readonly records: CloudflareMailRecords[];
  /** Steps only a person can take. */
  readonly pendingSteps: pulumi.Output<string[]>;
  /** By domain: Email Routing's status (`ready` is the only healthy one), when routing is configured. */
  readonly routingStatus?: pulumi.Output<Record<string, string>>;
}

interface ZoneLive {
  readonly rules: LiveRule[];
  readonly enabled: boolean;
  readonly status: string;
}

export function cloudflareMail(
  parent: pulumi.Resource,
  name: string,
  args: CloudflareMailArgs,
): CloudflareMail {
  const { config } = args;
  const routing = config.routing;
  const accountId = config.cloudflareAccountId;
  if (!routing || !accountId) {
    const records = config.domains.map((d) => mailRecords(parent, name, args, d));
    return { records, pendingSteps: pulumi.output([]) };
  }
  const invoke = { parent };
  const addresses = cloudflare
    .getEmailRoutingAddressesOutput({ accountId }, invoke)
    .apply((r) => (r.results ?? []) as LiveAddress[]);
  const zones = pulumi.all(
    config.domains.map((d) =>
      pulumi
        .all([
          cloudflare.getEmailRoutingRulesOutput({ zoneId: d.cloudflareZoneId }, invoke),
          cloudflare.getEmailRoutingSettingsOutput({ zoneId: d.cloudflareZoneId }, invoke),
        ])
        .apply(([rules, settings]): ZoneLive => ({
          rules: (rules.results ?? []) as LiveRule[],
          enabled: Boolean(settings.enabled),
          status: settings.status ?? "unconfigured",
        })),
    ),
  );
  const roles = { service: routing.serviceDestination, personal: routing.personalDestination };
  const plan = routesByZone(
    config.domains.map((d) => d.name),
    routing,
  );

  const built = pulumi.all([addresses, zones]).apply(([liveAddresses, liveZones]) => {
    const destinations = planDestinations(Object.values(roles), liveAddresses);
    const resources: Record<string, CloudflareDestinationAddress> = {};
    for (const [role, email] of Object.entries(roles)) {
      // Adopts an address the account has (creating it again answers 100640); see its module for why not `import`.
      resources[email] = new CloudflareDestinationAddress(
        `${name}-destination-${role}`,
        { accountId, email },
        { parent, aliases: [{ type: "cloudflare:index/emailRoutingAddress:EmailRoutingAddress" }] },
      );
    }
    const pending: string[] = [];
    const waiting = new Map<string, string[]>();
    const zoneRouting = config.domains.map((d, i) => {
      const routes = Object.fromEntries(
        Object.entries(plan[d.name]).map(([address, mailbox]) => [address, roles[mailbox]]),
      );
      const rules = planZoneRules(d.cloudflareZoneId, routes, destinations, liveZones[i].rules);
      const steps = pendingFromPlan(d.name, rules);
      for (const [dest, list] of steps.waiting) waiting.set(dest, [...(waiting.get(dest) ?? []), ...list]);
      pending.push(...steps.strays);
      return new CloudflareEmailRouting(
        `${name}-routing-${d.name}`,
        {
          zoneId: d.cloudflareZoneId,
          enabled: liveZones[i].enabled,
          rules: rules.rules,
          destinations: resources,
        },
        { parent },
      );
    });
    for (const [dest, list] of waiting) {
      pending.unshift(
        `verify ${dest}: open the link Cloudflare mailed to it, then run pulumi up; ` +
          `the rules for ${list.join(", ")} are created then (Cloudflare refuses rules to unverified addresses, error 2054)`,
      );
    }
    return { zoneRouting, pending };
  });

  const records = config.domains.map((d, i) =>
    mailRecords(
      parent,
      name,
      args,
      d,
      built.apply((b) => [b.zoneRouting[i].routing]),
    ),
  );
  const routingStatus = pulumi.all([zones, built]).apply(([live, b]) =>
    pulumi.all(
      Object.fromEntries(
        config.domains.map((d, i) => [
          d.name,
          // Already on: what the API said at the start of this run; enabled now: what the enable answered.
          live[i].enabled ? pulumi.output(live[i].status) : b.zoneRouting[i].routing.status,
        ]),
      ),
    ),
  );
  return { records, pendingSteps: built.apply((b) => b.pending), routingStatus };
}

function mailRecords(
  parent: pulumi.Resource,
  name: string,
  args: CloudflareMailArgs,
  d: { name: string; cloudflareZoneId: string },
  spfAfter?: pulumi.Input<pulumi.Resource[]>,
): CloudflareMailRecords {
  return new CloudflareMailRecords(
    `${name}-dns-${d.name}`,
    {
      zoneId: d.cloudflareZoneId,
      domain: d.name,
      spf: args.spf,
      dkimName: args.dkimName,
      dkimValue: args.dkimValue,
      dmarc: args.dmarcFor(d.name),
      spfAfter,
    },
    { parent },
  );
}
