/**
 * The stack outputs other stacks rely on (README, "Stack outputs"). Names and shapes here are a
 * contract: add fields, never rename or remove one.
 */
export interface SmtpRelayOutput {
  /** PMG's host; lab hosts in the trusted networks send here without authentication. */
  readonly host: string;
  /**
   * PMG's internal port (`int_port` from /config/mail, default 26): the only port where PMG relays
   * for pmg.trustedNetworks, marks mail trusted and DKIM-signs it. Was 25 before; a consumer that
   * reads `port` moves with no change, one that hard-coded 25 must read `port` instead.
   */
  readonly port: number;
  /** PMG's external port (25): mail from the internet and fetchmail, filtered as inbound. Never for relaying. Added with the fix above. */
  readonly inboundPort?: number;
  readonly auth: "none (trusted networks)";
}

export interface ImapOutput {
  readonly host: string;
  readonly port: number;
  /** `starttls` on 143, `tls` on 993. */
  readonly security: "starttls" | "tls";
}

export interface AccountOutput {
  /** The IMAP login: the short name on Stalwart 0.15, the full address on 0.16 and later. */
  readonly login: string;
  readonly addresses: string[];
  /** A secret output: read it with `requireOutput` and keep it secret. */
  readonly password: string;
}

export interface DkimRecordOutput {
  /** FQDN of the TXT record, `<selector>._domainkey.<domain>`. */
  readonly name: string;
  /** The TXT value DNS serves, `v=DKIM1; h=sha256; k=rsa; p=...`, from PMG's active key. */
  readonly value: string;
}

/** The SPF and DMARC TXT values one domain publishes, as the stack declares them. */
export interface MailRecordsOutput {
  /** The apex SPF value, `v=spf1 include:_spf.mx.cloudflare.net include:_spf.google.com ~all`. */
  readonly spf: string;
  /** The `_dmarc.<domain>` value, `v=DMARC1; p=none; rua=mailto:postmaster@<domain>`. */
  readonly dmarc: string;
}

/** A record the chain keeps in the lab's internal DNS (UniFi), e.g. `pmg.lab.local` A. */
export interface InternalRecordOutput {
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME";
  readonly value: string;
}

export interface MailChainOutputs {
  readonly smtpRelay: SmtpRelayOutput;
  readonly imap?: ImapOutput;
  /** By account name. */
  readonly accounts?: Record<string, AccountOutput>;
  /** By domain. */
  readonly dkim: Record<string, DkimRecordOutput>;
  /** Steps only a person can take (e.g. clicking Cloudflare's verification link). */
  readonly pendingSteps: string[];
  /** By domain: the SPF and DMARC values DNS should serve (`npm run verify` compares them). */
  readonly mailRecords?: Record<string, MailRecordsOutput>;
  /** The internal records, where `homelab-mail:unifi` is set. */
  readonly internalRecords?: InternalRecordOutput[];
  /**
   * By domain: Cloudflare Email Routing's status as the API reported it in the last update
   * (`ready`, `unconfigured`, `misconfigured`, `misconfigured/locked`, `unlocked`), where routing is set.
   */
  readonly routingStatus?: Record<string, string>;
}
