import * as pulumi from "@pulumi/pulumi";
import { BASE_SPF_INCLUDES, SPF_LOOKUP_LIMIT, type MailChainConfig } from "../lib/config";
import type {
  AccountOutput,
  DkimRecordOutput,
  ImapOutput,
  InternalRecordOutput,
  MailRecordsOutput,
  SmtpRelayOutput,
} from "../lib/outputs";
import { dmarcValue, spfLookups, spfValue, type SpfPolicy } from "../lib/records";
import { cloudflareMail } from "./cloudflareMail";
import { PmgGateway } from "./PmgGateway";
import { PmgHost } from "./PmgHost";
import { StalwartMailServer } from "./StalwartMailServer";
import { UnifiDns } from "./UnifiDns";

export interface MailChainArgs {
  /** The validated stack configuration. */
  readonly config: MailChainConfig;
}

/**
 * The whole mail chain, wired from the validated config in the order one `pulumi up` on an empty
 * homelab needs: Stalwart before PMG's transports point at it, PMG's DKIM selector before the TXT
 * record that publishes it, the records before signing is switched on, Email Routing before the SPF
 * record is merged (so whatever the enable writes is taken over, components/cloudflareMail.ts).
 */
export class MailChain extends pulumi.ComponentResource {
  readonly pmg: PmgGateway;
  /** fetchmail, the smarthost's SASL map and PMG's main.cf template over SSH, when `pmg.ssh` and `fetchmail` are set. */
  readonly pmgHost?: PmgHost;
  /** The internal pmg/mail names on the UniFi console, when `homelab-mail:unifi` is set. */
  readonly unifiDns?: UnifiDns;
  /** Outputs other stacks read (README, "Stack outputs"). */
  readonly smtpRelay: pulumi.Output<SmtpRelayOutput>;
  readonly dkim: pulumi.Output<Record<string, DkimRecordOutput>>;
  readonly pendingSteps: pulumi.Output<string[]>;
  /** By domain: the SPF and DMARC values DNS should serve (`npm run verify` compares them). */
  readonly mailRecords: Record<string, MailRecordsOutput>;
  /** By domain: Email Routing's status, read from the API (`ready` when healthy), when routing is configured. */
  readonly routingStatus?: pulumi.Output<Record<string, string>>;
  /** The internal records on the UniFi console, when configured. */
  readonly internalRecords?: pulumi.Output<InternalRecordOutput[]>;
  /** Stalwart's domains and service accounts, when `homelab-mail:stalwart` is set. */
  readonly stalwart?: StalwartMailServer;
  readonly imap?: ImapOutput;
  /** By account name; secret, because it holds the passwords. */
  readonly accounts?: pulumi.Output<Record<string, AccountOutput>>;

  constructor(name: string, args: MailChainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:mail:MailChain", name, {}, opts);
    const { config } = args;
    const domains = config.domains.map((d) => d.name);
    const transportsAfter: pulumi.Resource[] = [];
    if (config.stalwart) {
      this.stalwart = new StalwartMailServer(
        `${name}-stalwart`,
        { stalwart: config.stalwart, domains },
        { parent: this },
      );
      transportsAfter.push(...this.stalwart.resources);
      this.imap = this.stalwart.imap;
      this.accounts = this.stalwart.accountOutputs;
    }

    const ssh = config.pmg.ssh;
    if (ssh && config.fetchmail) {
      this.pmgHost = new PmgHost(
        `${name}-pmghost`,
        { pmg: { ...config.pmg, ssh }, fetchmail: config.fetchmail },
        { parent: this },
      );
    }
    const smarthostAfter = this.pmgHost ? [this.pmgHost.sync] : undefined;
    this.pmg = new PmgGateway(
      `${name}-pmg`,
      { pmg: config.pmg, domains, transportsAfter, smarthostAfter },
      { parent: this },
    );
    // PMG relays for pmg.trustedNetworks only on its internal port (int_port, read from
    // /config/mail, default 26); its external port 25 takes inbound mail (issue 16 item 1).
    this.smtpRelay = this.pmg.internalPort.apply((port) => ({
      host: new URL(config.pmg.endpoint).hostname,
      port,
      inboundPort: 25,
      auth: "none (trusted networks)" as const,
    }));
    if (config.unifi) {
      this.unifiDns = new UnifiDns(`${name}-unifi`, { unifi: config.unifi }, { parent: this });
      this.internalRecords = pulumi.all(
        Object.values(this.unifiDns.records).map((r) =>
          pulumi
            .all([r.name, r.type, r.value])
            .apply(([n, t, v]) => ({ name: n, type: t as InternalRecordOutput["type"], value: v })),
        ),
      );
    }

    const spf: SpfPolicy = {
      includes: [...BASE_SPF_INCLUDES, ...config.dns.spfExtraIncludes],
      all: config.dns.spfAll,
    };
    // The count itself is checked with the rest of the config (lib/config.ts); includes it cannot see into are said here.
    const lookups = spfLookups(spfValue(spf));
    if (lookups.unknownIncludes.length > 0) {
      void pulumi.log.warn(
        `SPF: nested lookups of ${lookups.unknownIncludes.join(", ")} are not counted; ${lookups.count} counted of ${SPF_LOOKUP_LIMIT}`,
        this,
      );
    }

    const dmarcFor = (domain: string) => ({
      policy: config.dns.dmarcPolicy,
      reportTo: config.dns.dmarcReportTo ?? `postmaster@${domain}`,
    });
    this.mailRecords = Object.fromEntries(
      domains.map((d) => [d, { spf: spfValue(spf), dmarc: dmarcValue(dmarcFor(d)) }]),
    );
    const cf = cloudflareMail(this, name, {
      config,
      spf,
      dmarcFor,
      dkimName: this.pmg.dkimRecordName,
      dkimValue: this.pmg.dkimTxtValue,
    });
    const records = cf.records;
    this.routingStatus = cf.routingStatus;
    this.pmg.enableSigning(records.map((r) => r.dkim));
    this.dkim = pulumi.output(
      Object.fromEntries(
        records.map((r, i) => [domains[i], { name: r.dkim.name, value: this.pmg.dkimTxtValue }]),
      ),
    );

    const pending = [cf.pendingSteps];
    this.pendingSteps = pulumi.all(pending).apply((lists) => {
      const open = lists.flat().filter((s) => s !== "");
      for (const s of open) void pulumi.log.warn(`pending human step: ${s}`, this);
      return open;
    });
    this.registerOutputs({
      smtpRelay: this.smtpRelay,
      dkim: this.dkim,
      pendingSteps: this.pendingSteps,
      imap: this.imap,
      accounts: this.accounts,
      mailRecords: this.mailRecords,
      internalRecords: this.internalRecords,
      routingStatus: this.routingStatus,
    });
  }
}
