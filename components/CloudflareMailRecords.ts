import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { dmarcValue, formatTxtContent, spfValue, type DmarcPolicy, type SpfPolicy } from "../lib/records";

export interface CloudflareMailRecordsArgs {
  readonly zoneId: string;
  /** The zone's domain; record names are written as FQDNs, as the API returns them. */
  readonly domain: string;
  /** `<selector>._domainkey`. */
  readonly dkimName: string;
  /** The DKIM TXT value straight from PMG's selector output: DNS can never go stale. */
  readonly dkimValue: pulumi.Input<string>;
  readonly spf: SpfPolicy;
  /** Adopt the SPF record Email Routing already published (its record id) instead of adding a second one. */
  readonly spfRecordId?: string;
  readonly dmarc: DmarcPolicy;
  /** TTL in seconds; 1 means automatic. Default 1. */
  readonly ttl?: number;
}

/** The zone's own mail records: the one merged SPF record, the DKIM key PMG signs with, and DMARC. */
export class CloudflareMailRecords extends pulumi.ComponentResource {
  readonly spf: cloudflare.DnsRecord;
  readonly dkim: cloudflare.DnsRecord;
  readonly dmarc: cloudflare.DnsRecord;

  constructor(name: string, args: CloudflareMailRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:cloudflare:CloudflareMailRecords", name, {}, opts);
    const txt = (
      role: string,
      recordName: string,
      content: pulumi.Input<string>,
      extra?: pulumi.CustomResourceOptions,
    ) =>
      new cloudflare.DnsRecord(
        `${name}-${role}`,
        {
          zoneId: args.zoneId,
          name: recordName,
          type: "TXT",
          ttl: args.ttl ?? 1,
          content,
          comment: "managed by homelab-mail",
        },
        { parent: this, ...extra },
      );
    this.spf = txt(
      "spf",
      args.domain,
      formatTxtContent(spfValue(args.spf)),
      args.spfRecordId ? { import: `${args.zoneId}/${args.spfRecordId}` } : undefined,
    );
    this.dkim = txt(
      "dkim",
      `${args.dkimName}.${args.domain}`,
      pulumi.output(args.dkimValue).apply(formatTxtContent),
    );
    this.dmarc = txt("dmarc", `_dmarc.${args.domain}`, formatTxtContent(dmarcValue(args.dmarc)));
    this.registerOutputs({ dkimContent: this.dkim.content });
  }
}
