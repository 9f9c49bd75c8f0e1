/** What every check gets: the stack outputs, the options, the resolvers, and PMG's live DKIM state. */
import type { MailChainOutputs } from "../lib/outputs";
import type { DnsLookup } from "./dns";
import type { PmgAccess, PmgDkimState } from "./pmg";
import type { CheckResult } from "./result";
import type { RoundTripOptions } from "./roundTrip";
import type { TlsTrust } from "./tls";

export interface VerifyOptions {
  /** Resolvers for the public mail records (`--dns`); none: the system's. */
  readonly dnsServers?: string[];
  /** Resolvers for the internal records (`--internal-dns`); none: those of `dnsServers`. */
  readonly internalDnsServers?: string[];
  readonly imapTrust: TlsTrust;
  /** Where the test message goes (`--to`); default the first address of the first account by name. */
  readonly to?: string;
  /** Envelope and header sender (`--from`); default the recipient itself, so a bounce comes back to it. */
  readonly from?: string;
  /** False with `--no-send`: the relay and delivery checks are skipped (and say so). */
  readonly send: boolean;
  /** How long to wait for the test message in the mailbox, in milliseconds. */
  readonly deliveryTimeoutMs: number;
  /** Connect and command timeout of every network check, in milliseconds. */
  readonly timeoutMs: number;
  /** PMG's API, to compare DNS with the key PMG signs with right now. */
  readonly pmg?: PmgAccess;
  /** `--round-trip`: one message from outside through Gmail, Cloudflare and fetchmail to Stalwart. */
  readonly roundTrip?: RoundTripOptions;
}

export type PmgLive =
  | { readonly state: "off" }
  | { readonly state: "ok"; readonly dkim: PmgDkimState }
  | { readonly state: "error"; readonly message: string };

export interface VerifyContext {
  readonly outputs: MailChainOutputs;
  readonly options: VerifyOptions;
  readonly dns: DnsLookup;
  readonly internalDns: DnsLookup;
  readonly pmg: PmgLive;
}

export type Check = (ctx: VerifyContext) => Promise<CheckResult[]>;
