/**
 * Stalwart's management API over plain HTTP sends the admin login as Basic auth on every request,
 * and on 0.16 every account password as plain JSON (issue 14, item 3). So `http://` is accepted only
 * to a loopback address (the traffic never leaves the machine) or with the explicit acknowledgement
 * `homelab-mail:stalwart.allowPlainHttp: true`, which then warns on every run.
 */
import { isIP } from "node:net";

/** 127.0.0.0/8, ::1 and localhost: nothing sent there crosses a network. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** Whether the endpoint is plain http to a host other than loopback. */
export function plainHttpOverNetwork(endpoint: string): boolean {
  try {
    const u = new URL(endpoint);
    return u.protocol === "http:" && !isLoopback(u.hostname);
  } catch {
    return false;
  }
}

/** The refusal for a plain-http endpoint, or undefined when it is fine (https, loopback, or acknowledged). */
export function plainHttpProblem(endpoint: unknown, allowed: boolean): string | undefined {
  if (typeof endpoint !== "string" || allowed || !plainHttpOverNetwork(endpoint)) return undefined;
  const host = new URL(endpoint).hostname;
  return (
    `uses plain http to ${host}: the Stalwart admin login (and on 0.16 every account password) would cross the network readable. ` +
    `Use Stalwart's HTTPS listener, e.g. https://${host}:443, and pin its certificate with homelab-mail:stalwart.tlsFingerprint ` +
    `(openssl s_client -connect ${host}:443 </dev/null | openssl x509 -noout -fingerprint -sha256); ` +
    `or, to accept the risk, set homelab-mail:stalwart.allowPlainHttp true (warned on every run)`
  );
}

export const PLAIN_HTTP_WARNING = (endpoint: string) =>
  `stalwart: ${endpoint} is plain http (homelab-mail:stalwart.allowPlainHttp is true): the admin login and account passwords cross the network readable; switch to Stalwart's HTTPS listener with homelab-mail:stalwart.tlsFingerprint`;
