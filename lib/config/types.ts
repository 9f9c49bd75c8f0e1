/** The validated stack configuration: what the program builds from. */
import type * as unifiRules from "../../providers/unifi/records";

/** Email Routing's and Google's (the smarthost's) senders are always authorized. */
export const BASE_SPF_INCLUDES = ["_spf.mx.cloudflare.net", "_spf.google.com"];

/** SPF's DNS-lookup limit (RFC 7208 §4.6.4): past it receivers answer permerror. */
export const SPF_LOOKUP_LIMIT = 10;

export const PROJECT = "homelab-mail";

export interface DomainConfig {
  readonly name: string;
  readonly cloudflareZoneId: string;
  /**
   * Id of the zone's existing SPF record. No longer needed (the SPF record is found and taken over,
   * providers/cloudflare/txtRecord.ts); still accepted so existing stacks keep validating.
   */
  readonly spfRecordId?: string;
}

export interface MailDnsConfig {
  /** Extra SPF includes beyond Email Routing's and Google's. */
  readonly spfExtraIncludes: string[];
  readonly spfAll: "~all" | "-all";
  readonly dmarcPolicy: "none" | "quarantine" | "reject";
  /** DMARC aggregate reports; default postmaster@<domain>. */
  readonly dmarcReportTo?: string;
}

export interface RoutingConfig {
  readonly serviceDestination: string;
  readonly personalDestination: string;
  readonly serviceAddresses: string[];
  readonly personalAddresses: string[];
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * PMG comments declared per object, by list and key (CIDR or domain). An object not listed keeps the
 * comment it has on PMG (created without one); a listed one is set to the text given, "" clears it.
 */
export interface PmgComments {
  readonly trustedNetworks?: Readonly<Record<string, string>>;
  readonly relayDomains?: Readonly<Record<string, string>>;
  readonly transports?: Readonly<Record<string, string>>;
  readonly dkimDomains?: Readonly<Record<string, string>>;
}

export interface PmgConfig {
  readonly endpoint: string;
  readonly username: string;
  readonly tlsFingerprint?: string;
  readonly trustedNetworks: string[];
  /** The public networks of trustedNetworks the operator acknowledged as their own. */
  readonly acknowledgePublicNetworks?: string[];
  /** Outbound smarthost: PMG's `smarthost`/`smarthostport` (postfix default_transport); `user` logs in to it (default: fetchmail.user). */
  readonly smarthost: HostPort & { readonly user?: string };
  /** Where PMG hands inbound mail for every domain: Stalwart's SMTP listener. */
  readonly transport: HostPort & { readonly protocol: "smtp" | "lmtp" };
  readonly dkim: { readonly selector: string; readonly keySize: number };
  /** Comments declared per object; what is not declared is kept as found. */
  readonly comments?: PmgComments;
  readonly ssh?: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly hostKey: string;
  };
}

export interface StalwartAccount {
  readonly name: string;
  readonly emails: string[];
  /** Undefined: the account keeps the description it has (none when created). */
  readonly description?: string;
  /** Default [user], which IMAP login needs. */
  readonly roles?: string[];
  /** Bytes; 0 or absent is unlimited. */
  readonly quota?: number;
  /** Let removing the account destroy a mailbox that holds mail (default false: refused). */
  readonly allowMailboxDeletion?: boolean;
  /** Names it had before: a rename then updates the account in place instead of replacing it. */
  readonly formerNames?: string[];
}

export interface StalwartConfig {
  readonly endpoint: string;
  readonly username: string;
  readonly tlsFingerprint?: string;
  readonly accounts: StalwartAccount[];
  /** Descriptions of Stalwart's domain principals, by domain; a domain not listed keeps its own. */
  readonly domainDescriptions?: Readonly<Record<string, string>>;
  /** What IMAP clients connect to; default: the endpoint's host, 993, implicit TLS. */
  readonly imap: { readonly host: string; readonly port: number; readonly security: "tls" | "starttls" };
  /** Set after running "Recalculate disk quotas" once the 0.15 -> 0.16 migration is done. */
  readonly diskQuotasRecalculated?: boolean;
  /** Accept plain http to a non-loopback endpoint (warned on every run). */
  readonly allowPlainHttp?: boolean;
}

export interface FetchmailConfig {
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly folder: string;
  readonly pollSeconds: number;
  /** The addresses mail in the box is for: routing.serviceAddresses. */
  readonly localNames: string[];
  /** Where fetched mail naming none of them goes (default postmaster@<first domain>). */
  readonly fallbackRecipient: string;
  /** `none`, or the header fetchmail reads the original recipient from (docs/recipient-headers.md). */
  readonly envelope: string;
}

export interface UnifiRecordConfig {
  readonly name: string;
  readonly type: unifiRules.RecordType;
  readonly value: string;
  /** Seconds; undefined leaves the console's default alone. */
  readonly ttl?: number;
}

export interface UnifiConfig {
  readonly endpoint: string;
  readonly site: string;
  readonly tlsFingerprint?: string;
  /** Where the default records live: pmg.<zone> and mail.<zone>. Default lab.local. */
  readonly zone: string;
  /** As declared, or the two defaults derived from the PMG and Stalwart hosts. */
  readonly records: UnifiRecordConfig[];
}

export interface MailChainConfig {
  readonly domains: DomainConfig[];
  readonly cloudflareAccountId?: string;
  readonly routing?: RoutingConfig;
  readonly pmg: PmgConfig;
  readonly stalwart?: StalwartConfig;
  readonly fetchmail?: FetchmailConfig;
  readonly dns: MailDnsConfig;
  /** Internal DNS records on the UniFi console; absent when not configured. */
  readonly unifi?: UnifiConfig;
  /** Take over existing objects that differ from the declaration (see README, "Adopting"). */
  readonly adoptExisting: boolean;
  /** Accepted but risky settings, each naming its key: logged as warnings on every run. */
  readonly warnings?: readonly string[];
}

/** Secret keys, each required when the block that uses it is configured. */
export const SECRET_KEYS = [
  "pmgPassword",
  "stalwartPassword",
  "stalwartApiKey",
  "pmgSshPrivateKey",
  "gmailFetchmailPassword",
  "gmailSmarthostPassword",
  "unifiApiKey",
] as const;

export type SecretKey = (typeof SECRET_KEYS)[number];
