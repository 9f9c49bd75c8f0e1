/** `homelab-mail:routing` and `homelab-mail:dns`: Cloudflare's side. */
import * as v from "../validate";
import { spfLookups, spfValue } from "../records";
import { addressesIn, type Problems } from "./problems";
import { BASE_SPF_INCLUDES, SPF_LOOKUP_LIMIT, type MailDnsConfig, type RoutingConfig } from "./types";

export function validateRouting(p: Problems, value: unknown, domains: string[]): RoutingConfig | undefined {
  const o = p.object("routing", value, false);
  if (!o) return undefined;
  p.unknownKeys("routing", o, [
    "serviceDestination",
    "personalDestination",
    "serviceAddresses",
    "personalAddresses",
  ]);
  p.check("routing.serviceDestination", o.serviceDestination, v.email);
  p.check("routing.personalDestination", o.personalDestination, v.email);
  const serviceAddresses = addressesIn(p, "routing.serviceAddresses", o.serviceAddresses, domains);
  const personalAddresses = addressesIn(p, "routing.personalAddresses", o.personalAddresses, domains);
  if (
    typeof o.serviceDestination === "string" &&
    typeof o.personalDestination === "string" &&
    o.serviceDestination.toLowerCase() === o.personalDestination.toLowerCase()
  ) {
    // One Cloudflare destination address, created twice (error 100640), and service mail would
    // land in the personal box: the service box is the one fetchmail empties into PMG.
    p.add(
      "routing.personalDestination",
      `is the same address as routing.serviceDestination (${o.personalDestination}); give the personal Gmail box here and the service box (the one fetchmail reads) there`,
    );
  }
  for (const a of serviceAddresses.filter((x) => personalAddresses.includes(x))) {
    p.add("routing.personalAddresses", `${a} is also a service address; route each address one way`);
  }
  return {
    serviceDestination: String(o.serviceDestination).toLowerCase(),
    personalDestination: String(o.personalDestination).toLowerCase(),
    serviceAddresses,
    personalAddresses,
  };
}

export function validateDns(p: Problems, value: unknown): MailDnsConfig {
  const o = p.object("dns", value, false) ?? {};
  p.unknownKeys("dns", o, ["spfExtraIncludes", "spfAll", "dmarcPolicy", "dmarcReportTo"]);
  const spfExtraIncludes = p.list_("dns.spfExtraIncludes", o.spfExtraIncludes, false).map((d, i) => {
    p.check(`dns.spfExtraIncludes[${i}]`, d, v.dnsName);
    return String(d);
  });
  const spfAll = o.spfAll ?? "~all";
  if (spfAll !== "~all" && spfAll !== "-all") p.add("dns.spfAll", "must be ~all or -all");
  const dmarcPolicy = o.dmarcPolicy ?? "none";
  if (!["none", "quarantine", "reject"].includes(dmarcPolicy as string))
    p.add("dns.dmarcPolicy", "must be none, quarantine or reject");
  if (o.dmarcReportTo !== undefined) p.check("dns.dmarcReportTo", o.dmarcReportTo, v.email);
  const lookups = spfLookups(spfValue({ includes: [...BASE_SPF_INCLUDES, ...spfExtraIncludes] }));
  if (lookups.count > SPF_LOOKUP_LIMIT) {
    p.add(
      "dns.spfExtraIncludes",
      `the SPF record would need at least ${lookups.count} DNS lookups; the limit is ${SPF_LOOKUP_LIMIT}: remove includes`,
    );
  }
  return {
    spfExtraIncludes,
    spfAll: spfAll as MailDnsConfig["spfAll"],
    dmarcPolicy: dmarcPolicy as MailDnsConfig["dmarcPolicy"],
    dmarcReportTo: o.dmarcReportTo as string | undefined,
  };
}
