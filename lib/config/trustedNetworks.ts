/**
 * `homelab-mail:pmg.trustedNetworks`: PMG relays mail from these networks without authentication
 * (postfix `mynetworks`, and on to the smarthost). A public range there makes PMG an open relay for
 * every host in it, so:
 * - a range that is, or contains, globally routable space (lib/ipRanges.ts: the IANA special-purpose
 *   registries, RFC 6890) is refused unless `pmg.acknowledgePublicNetworks` names it, entry by entry,
 *   and even then it warns on every run and may be at most the size below;
 * - a range larger than an IPv4 /16 (65,536 addresses) or an IPv6 /48 warns on every run. A /16 is
 *   the largest RFC 1918 block (192.168.0.0/16) and more than any home or lab LAN holds; a /48 is a
 *   whole end site's IPv6 assignment (RFC 6177 §2; a ULA site prefix, RFC 4193 §3.1), so anything
 *   larger spans more than one site: VPN, guest and IoT ranges the operator did not mean to trust.
 */
import { hostBits, nonGlobalBlock } from "../ipRanges";
import * as v from "../validate";
import type { Problems } from "./problems";

/** Largest trusted network without a warning, in host bits: IPv4 /16, IPv6 /48. */
export const WARN_HOST_BITS = { 4: 32 - 16, 6: 128 - 48 } as const;

const ACK = "pmg.acknowledgePublicNetworks";

export function validateTrustedNetworks(
  p: Problems,
  value: unknown,
  acknowledged: unknown,
): { trustedNetworks: string[]; acknowledgePublicNetworks: string[] } {
  const networks = p.list_("pmg.trustedNetworks", value).map((c, i) => {
    p.check(`pmg.trustedNetworks[${i}]`, c, v.cidr);
    return String(c);
  });
  networks.forEach(
    (c, i) => networks.indexOf(c) !== i && p.add(`pmg.trustedNetworks[${i}]`, `${c} is listed twice`),
  );
  const acks = p.list_(ACK, acknowledged, false).flatMap((a, i) => {
    if (typeof a !== "string" || !networks.includes(a)) {
      p.add(
        `${ACK}[${i}]`,
        `${JSON.stringify(a)} is not one of homelab-mail:pmg.trustedNetworks; list each acknowledged network exactly as it is written there`,
      );
      return [];
    }
    return [a];
  });
  networks.forEach((c, i) => {
    if (v.cidr(c)) return;
    const key = `pmg.trustedNetworks[${i}]`;
    const family = c.includes(":") ? 6 : 4;
    const bits = hostBits(c);
    const size = `larger than an IPv${family} /${family === 4 ? 16 : 48}`;
    const block = nonGlobalBlock(c);
    if (block) {
      if (acks.includes(c))
        p.add(
          `${ACK}[${acks.indexOf(c)}]`,
          `${c} is not public (it is in ${block}); remove it from this list`,
        );
      if (bits > WARN_HOST_BITS[family])
        p.warn(
          key,
          `${c} is ${size} (2^${bits} addresses): every host in it may relay mail through PMG without authentication; trust only the LANs that send mail`,
        );
      return;
    }
    if (!acks.includes(c)) {
      p.add(
        key,
        `${c} is public (globally routable) address space: every host in it could relay mail through PMG and the smarthost without authentication (an open relay). Trust only your own private networks (RFC 1918, fc00::/7); if this is your own public range, add it to homelab-mail:${ACK}`,
      );
    } else if (bits > WARN_HOST_BITS[family]) {
      p.add(
        key,
        `${c} is public and ${size}; an acknowledged public network may be at most that size: list the addresses that send mail`,
      );
    } else {
      p.warn(
        key,
        `${c} is public (globally routable) address space, acknowledged in homelab-mail:${ACK}: every host in it relays mail through PMG without authentication`,
      );
    }
  });
  return { trustedNetworks: networks, acknowledgePublicNetworks: acks };
}
