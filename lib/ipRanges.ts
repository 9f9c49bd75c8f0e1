/**
 * Which networks are not globally reachable, from the IANA special-purpose address registries
 * (RFC 6890, updated by RFC 8190): every block whose "Globally Reachable" column is False.
 *   IPv4: https://www.iana.org/assignments/iana-ipv4-special-registry/ (RFC 1122, 1918, 3927, 5737,
 *         6598, 2544, 6890 §2.2.2; 240.0.0.0/4 RFC 1112)
 *   IPv6: https://www.iana.org/assignments/iana-ipv6-special-registry/ (RFC 4291, 4193, 3849, 9637,
 *         5180, 6052/8215, 6666, 9602)
 * Anything not wholly inside one of these blocks is treated as public (globally routable). Where the
 * registry lists globally reachable exceptions inside a block (192.0.0.9/32 and 192.0.0.10/32 in
 * 192.0.0.0/24; most of 2001::/23), the block is left out or narrowed, so the rule errs towards
 * "public" and asks for an acknowledgement rather than trusting a routable range silently.
 * Multicast (224.0.0.0/4, ff00::/8) is in neither registry: it is public here.
 */
import { isIP } from "node:net";

interface Block {
  readonly cidr: string;
  readonly name: string;
}

export const NON_GLOBAL_V4: readonly Block[] = [
  { cidr: "0.0.0.0/8", name: '"this network" (RFC 791)' },
  { cidr: "10.0.0.0/8", name: "private use (RFC 1918)" },
  { cidr: "100.64.0.0/10", name: "shared address space, carrier-grade NAT (RFC 6598)" },
  { cidr: "127.0.0.0/8", name: "loopback (RFC 1122)" },
  { cidr: "169.254.0.0/16", name: "link local (RFC 3927)" },
  { cidr: "172.16.0.0/12", name: "private use (RFC 1918)" },
  // 192.0.0.0/24 without its two globally reachable /32s (192.0.0.9, 192.0.0.10): the first /29.
  { cidr: "192.0.0.0/29", name: "IPv4 service continuity prefix (RFC 7335)" },
  { cidr: "192.0.2.0/24", name: "documentation, TEST-NET-1 (RFC 5737)" },
  { cidr: "192.168.0.0/16", name: "private use (RFC 1918)" },
  { cidr: "198.18.0.0/15", name: "benchmarking (RFC 2544)" },
  { cidr: "198.51.100.0/24", name: "documentation, TEST-NET-2 (RFC 5737)" },
  { cidr: "203.0.113.0/24", name: "documentation, TEST-NET-3 (RFC 5737)" },
  { cidr: "240.0.0.0/4", name: "reserved (RFC 1112)" },
];

export const NON_GLOBAL_V6: readonly Block[] = [
  { cidr: "::1/128", name: "loopback (RFC 4291)" },
  { cidr: "::/128", name: "unspecified (RFC 4291)" },
  { cidr: "::ffff:0:0/96", name: "IPv4-mapped (RFC 4291)" },
  { cidr: "64:ff9b:1::/48", name: "IPv4/IPv6 local-use translation (RFC 8215)" },
  { cidr: "100::/64", name: "discard-only (RFC 6666)" },
  { cidr: "2001:2::/48", name: "benchmarking (RFC 5180)" },
  { cidr: "2001:db8::/32", name: "documentation (RFC 3849)" },
  { cidr: "3fff::/20", name: "documentation (RFC 9637)" },
  { cidr: "5f00::/16", name: "segment routing SIDs (RFC 9602)" },
  { cidr: "fc00::/7", name: "unique local (RFC 4193)" },
  { cidr: "fe80::/10", name: "link-local unicast (RFC 4291)" },
];

/** Address as a big integer and its width in bits (32 or 128); undefined if not an IP literal. */
export function addressBits(address: string): { value: bigint; width: 32 | 128 } | undefined {
  const family = isIP(address);
  if (family === 4) {
    return { value: address.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), width: 32 };
  }
  if (family !== 6) return undefined;
  const [head, tail] = address.toLowerCase().split("::");
  const groups = (s: string | undefined): number[] =>
    s
      ? s.split(":").flatMap((g) => {
          if (!g.includes(".")) return [parseInt(g, 16)];
          const o = g.split(".").map(Number);
          return [o[0] * 256 + o[1], o[2] * 256 + o[3]];
        })
      : [];
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return { value: all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n), width: 128 };
}

interface Range {
  readonly value: bigint;
  readonly bits: number;
  readonly width: 32 | 128;
}

function parse(cidr: string): Range | undefined {
  const [address, bits] = cidr.split("/");
  const a = addressBits(address);
  const n = Number(bits);
  if (!a || !Number.isInteger(n) || n < 0 || n > a.width) return undefined;
  return { ...a, bits: n };
}

/** Whether `inner` lies wholly inside `outer` (same family). */
function within(inner: Range, outer: Range): boolean {
  if (inner.width !== outer.width || inner.bits < outer.bits) return false;
  const shift = BigInt(outer.width - outer.bits);
  return inner.value >> shift === outer.value >> shift;
}

/**
 * The non-global block a network lies in (its name), or undefined when the network is, or
 * contains, globally routable space. Throws on something that is not a CIDR.
 */
export function nonGlobalBlock(cidr: string): string | undefined {
  const r = parse(cidr);
  if (!r) throw new Error(`not a CIDR network: ${cidr}`);
  const blocks = r.width === 32 ? NON_GLOBAL_V4 : NON_GLOBAL_V6;
  return blocks.find((b) => within(r, parse(b.cidr)!))?.name;
}

/** Number of addresses in a network, as a power of two: 2^(width - prefix). */
export function hostBits(cidr: string): number {
  const r = parse(cidr);
  if (!r) throw new Error(`not a CIDR network: ${cidr}`);
  return r.width - r.bits;
}
