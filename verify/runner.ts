/**
 * Runs every check against one set of stack outputs and returns their results in a stable order
 * (the order below, then each check's own), whatever order they finish in. A check that throws
 * becomes a failure of that check, never a crash of the whole run.
 */
import type { MailChainOutputs } from "../lib/outputs";
import { dkim } from "./checks/dkim";
import { dmarc } from "./checks/dmarc";
import { imapLogins } from "./checks/imap";
import { internalDns } from "./checks/internalDns";
import { pendingSteps } from "./checks/pending";
import { pmgDkim } from "./checks/pmgDkim";
import { relay } from "./checks/relay";
import { roundTrip } from "./checks/roundTrip";
import { routing } from "./checks/routing";
import { spf } from "./checks/spf";
import type { Check, PmgLive, VerifyContext, VerifyOptions } from "./context";
import { DnsLookup } from "./dns";
import { explainPmgError, fetchPmgDkim, type PmgAccess } from "./pmg";
import { fail, reason, type CheckResult } from "./result";

export const CHECKS: readonly Check[] = [
  pendingSteps,
  pmgDkim,
  dkim,
  spf,
  routing,
  dmarc,
  internalDns,
  imapLogins,
  relay,
  roundTrip,
];

export async function runVerify(outputs: MailChainOutputs, options: VerifyOptions): Promise<CheckResult[]> {
  const ctx: VerifyContext = {
    outputs,
    options,
    dns: new DnsLookup(options.dnsServers),
    internalDns: new DnsLookup(options.internalDnsServers ?? options.dnsServers),
    // Asked once, before the DKIM checks that compare with it.
    pmg: await livePmg(options.pmg),
  };
  const groups = await Promise.all(
    CHECKS.map((check) =>
      check(ctx).catch((err) => [fail(check.name, `the check itself failed: ${reason(err)}`)]),
    ),
  );
  return groups.flat();
}

async function livePmg(access?: PmgAccess): Promise<PmgLive> {
  if (!access) return { state: "off" };
  try {
    return { state: "ok", dkim: await fetchPmgDkim(access) };
  } catch (err) {
    return { state: "error", message: explainPmgError(err) };
  }
}
