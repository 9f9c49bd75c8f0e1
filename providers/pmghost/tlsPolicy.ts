/**
 * The TLS policy for PMG's smarthost alone (/etc/postfix/smarthost_tls_policy, `postmap`ed):
 * `secure`, the certificate's name matched against the smarthost and verified against the system's
 * CA bundle, for that one next hop; every other delivery keeps PMG's own level (issue 16 item 3).
 *
 * From postconf(5), smtp_tls_policy_maps (Postfix 3.7): the table "is indexed by the full next-hop
 * destination ... This includes any enclosing square brackets and any non-default destination
 * server port suffix"; "Only the next-hop domain ... is used as the nexthop name for certificate
 * verification". PMG renders its smarthost as `default_transport = smtp:<host>:<port>` (reference
 * 2.3), so the lookup key is `<host>:<port>`; the bracketed form is written too (as in saslMap.ts).
 * `match=<host>` names the certificate name explicitly, and `tafile=` (postconf(5),
 * smtp_tls_trust_anchor_file: "specified on a per-destination basis via the "tafile" attribute of
 * the "verify" and "secure" levels") makes the system CAs the trust anchors for this destination
 * only, whatever smtp_tls_CAfile PMG sets (none without tls=1).
 */
export const POLICY_PATH = "/etc/postfix/smarthost_tls_policy";
export const POLICY_MAP = `hash:${POLICY_PATH}`;
export const SYSTEM_CAS = "/etc/ssl/certs/ca-certificates.crt";
export const POLICY_HEADER =
  "# Managed by homelab-mail (Pulumi): TLS policy for PMG's smarthost only. Hand edits are reverted.";

/** The lookup keys for a smarthost, the one PMG's transport uses first. */
export function policyKeys(host: string, port: number): string[] {
  const h = host.toLowerCase();
  return [`${h}:${port}`, `[${h}]:${port}`];
}

/** The policy each key answers with. */
export function policyValue(host: string): string {
  return `secure match=${host.toLowerCase()} tafile=${SYSTEM_CAS}`;
}

export function renderPolicyMap(host: string, port: number): string {
  return [POLICY_HEADER, ...policyKeys(host, port).map((k) => `${k} ${policyValue(host)}`), ""].join("\n");
}

/**
 * Port 465 is SMTPS: TLS from the first byte, which Postfix turns on with `smtp_tls_wrappermode`
 * for a whole transport (postconf(5): "Request that the Postfix SMTP client connects using the
 * legacy SMTPS protocol instead of using the STARTTLS command"), not per destination, so it cannot
 * be scoped to the smarthost without a dedicated master.cf transport PMG does not render.
 */
export function smarthostPortProblem(port: unknown): string | undefined {
  if (port === 465)
    return "is 465 (SMTPS, TLS from the first byte), which Postfix can only switch on for every delivery (smtp_tls_wrappermode), not for the smarthost alone; use 587, where Gmail offers STARTTLS";
  return undefined;
}
