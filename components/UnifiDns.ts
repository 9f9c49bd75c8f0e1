import * as pulumi from "@pulumi/pulumi";
import type { UnifiConfig } from "../lib/config";
import { UnifiDnsRecord } from "../providers/unifi/dnsRecord";

export interface UnifiDnsArgs {
  /** Validated `homelab-mail:unifi`, its records already defaulted (pmg.<zone>, mail.<zone>). */
  readonly unifi: UnifiConfig;
}

/** The lab's internal names for the mail chain, as local DNS records on the UniFi console. */
export class UnifiDns extends pulumi.ComponentResource {
  /** By `<type> <name>`, e.g. `A pmg.lab.local`. */
  readonly records: Record<string, UnifiDnsRecord> = {};

  constructor(name: string, args: UnifiDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:unifi:UnifiDns", name, {}, opts);
    const { endpoint, site, records } = args.unifi;
    for (const r of records) {
      // Named by name and type, never by list position: reordering the config must not replace records.
      this.records[`${r.type} ${r.name}`] = new UnifiDnsRecord(
        `${name}-${r.type.toLowerCase()}-${r.name}`,
        { endpoint, site, name: r.name, type: r.type, value: r.value, ttl: r.ttl },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
