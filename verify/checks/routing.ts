/**
 * Cloudflare Email Routing, per routed domain: the status the API reported in the last update
 * (`routingStatus`; the provider never refreshes it, email_routing_dns/model.go marks `status`
 * no_refresh, so the stack reads it through getEmailRoutingSettings) must be `ready`, and public DNS
 * must send the domain's mail to Cloudflare only (route1..3.mx.cloudflare.net): an MX record left
 * over from another provider is what makes Cloudflare report `misconfigured`.
 */
import type { Check } from "../context";
import { fail, pass, reason, type CheckResult } from "../result";

const CLOUDFLARE_MX = /^route\d+\.mx\.cloudflare\.net$/;

const FIX: Record<string, string> = {
  unconfigured: "Email Routing is off: run pulumi up (it enables it), or turn it on again in the dashboard",
  misconfigured:
    "delete the MX records at the apex that are not Cloudflare's (Email > Email Routing > Settings lists them), then pulumi up --refresh",
  "misconfigured/locked":
    "delete the MX records at the apex that are not Cloudflare's (Email > Email Routing > Settings lists them), then pulumi up --refresh",
  unlocked: "lock the Email Routing DNS records again: Email > Email Routing > Settings > Lock DNS records",
};

export const routing: Check = async (ctx) =>
  Promise.all(
    Object.entries(ctx.outputs.routingStatus ?? {}).map(async ([domain, status]) => {
      try {
        return evaluateRouting(domain, status, await ctx.dns.mx(domain));
      } catch (err) {
        return fail(`routing:${domain}`, reason(err), "check the resolver given with --dns");
      }
    }),
  );

export function evaluateRouting(domain: string, status: string, mx: string[]): CheckResult {
  const id = `routing:${domain}`;
  if (status !== "ready") {
    return fail(
      id,
      `Cloudflare reported Email Routing on ${domain} as "${status}" in the last update`,
      FIX[status] ?? "open Email > Email Routing in the dashboard and follow what it says",
    );
  }
  const foreign = mx.filter((h) => !CLOUDFLARE_MX.test(h));
  if (mx.length === 0 || foreign.length > 0) {
    return fail(
      id,
      mx.length === 0
        ? `DNS serves no MX record at ${domain}, so no mail reaches Email Routing`
        : `DNS serves MX records at ${domain} that are not Cloudflare's: ${foreign.join(", ")}`,
      "delete the other MX records in the Cloudflare dashboard; Email Routing owns the apex MX records",
    );
  }
  return pass(id, `Email Routing ready; MX ${mx.sort().join(", ")}`);
}
