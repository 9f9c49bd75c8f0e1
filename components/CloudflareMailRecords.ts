import * as pulumi from "@pulumi/pulumi";
import { dmarcValue, formatTxtContent, spfValue, type DmarcPolicy, type SpfPolicy } from "../lib/records";
import { CloudflareTxtRecord } from "../providers/cloudflare/txtRecord";

export interface CloudflareMailRecordsArgs {
  readonly zoneId: string;
  /** The zone's domain; record names are written as FQDNs, as the API returns them. */
  readonly domain: string;
  /** `<selector>._domainkey`. */
  readonly dkimName: string;
  /** The DKIM TXT value straight from PMG's selector output: DNS can never go stale. */
  readonly dkimValue: pulumi.Input<string>;
  readonly spf: SpfPolicy;
  readonly dmarc: DmarcPolicy;
  /** Email Routing's enable on this zone: the SPF record is written after it (see below). */
  readonly spfAfter?: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  /** TTL in seconds; 1 means automatic. Default 1. */
  readonly ttl?: number;
}

const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";

/**
 * The zone's own mail records: the one merged SPF record, the DKIM key PMG signs with, and DMARC,
 * each exactly one of its kind at its name (providers/cloudflare/txtRecord.ts adopts a record that
 * exists instead of adding a second one).
 *
 * The SPF record is written after Email Routing is enabled: enabling adds an SPF record where none
 * exists and rewrites an existing one to Cloudflare's own (terraform-provider-cloudflare#6444), so
 * the record is taken over and merged afterwards, whatever the enable did; and every later
 * `pulumi up` reads it live and repairs it.
 */
export class CloudflareMailRecords extends pulumi.ComponentResource {
  readonly spf: CloudflareTxtRecord;
  readonly dkim: CloudflareTxtRecord;
  readonly dmarc: CloudflareTxtRecord;

  constructor(name: string, args: CloudflareMailRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:cloudflare:CloudflareMailRecords", name, {}, opts);
    const txt = (
      role: "spf" | "dkim" | "dmarc",
      recordName: string,
      content: pulumi.Input<string>,
      dependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]>,
    ) =>
      new CloudflareTxtRecord(
        `${name}-${role}`,
        {
          zoneId: args.zoneId,
          name: recordName,
          kind: role,
          ttl: args.ttl ?? 1,
          content,
          comment: "managed by homelab-mail",
        },
        // Earlier versions declared these as the provider's DnsRecord under the same name.
        { parent: this, dependsOn, aliases: [{ type: DNS_RECORD }] },
      );
    this.spf = txt("spf", args.domain, formatTxtContent(spfValue(args.spf)), args.spfAfter);
    this.dkim = txt(
      "dkim",
      `${args.dkimName}.${args.domain}`,
      pulumi.output(args.dkimValue).apply(formatTxtContent),
    );
    this.dmarc = txt("dmarc", `_dmarc.${args.domain}`, formatTxtContent(dmarcValue(args.dmarc)));
    this.registerOutputs({ dkimContent: this.dkim.content });
  }
}
