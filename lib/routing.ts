/** Which Email Routing rule each zone gets: pure, so it can be property-tested for any routing config. */
import type { RoutingConfig } from "./config";

export type Mailbox = "service" | "personal";

/**
 * Address -> destination mailbox, per zone. An address belongs to the zone whose domain is exactly
 * its domain (`a@sub.example.net` is not in `example.net`); config validation has already made sure
 * every address has a zone and is routed one way only.
 */
export function routesByZone(
  domains: string[],
  routing: RoutingConfig,
): Record<string, Record<string, Mailbox>> {
  const zones: Record<string, Record<string, Mailbox>> = Object.fromEntries(domains.map((d) => [d, {}]));
  const add = (addresses: string[], mailbox: Mailbox) => {
    for (const address of addresses) {
      const domain = address.slice(address.lastIndexOf("@") + 1);
      if (zones[domain]) zones[domain][address] = mailbox;
    }
  };
  add(routing.serviceAddresses, "service");
  add(routing.personalAddresses, "personal");
  return zones;
}
