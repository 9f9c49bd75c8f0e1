// Format validators of PVE::JSONSchema (pve-common) and PMG (pmg-api Config.pm, AccessControl.pm,
// API2/DKIMSign.pm), re-implemented from the sources: same regexes, same error texts. Each validator
// returns null when the value is fine, or the text the Perl validator dies with (trailing "\n").
import { IPV4RE, IPV6RE, PERL_WORD, perlNum, perlRe, perlTrue, splitList } from "./perl";

type Validator = (value: string) => string | null;

const NAMERE = "([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)";
const DNS_NAME = perlRe(`(${NAMERE}\\.)*${NAMERE}`);
const TRANSPORT_DOMAIN = perlRe(`\\.?(${NAMERE}\\.)*${NAMERE}`);
const TRANSPORT_EMAIL = perlRe(`(?:[^\\s\\/\\@]+\\@)(${NAMERE}\\.)*${NAMERE}`);
const IPV4_ONLY = perlRe(IPV4RE);
const IPV6_ONLY = perlRe(IPV6RE);
const IP = perlRe(`(?:${IPV4RE})|(?:${IPV6RE})`);
const CIDR4 = perlRe(`(?:${IPV4RE})(?:\\/(\\p{Nd}+))`, "u");
const CIDR6 = perlRe(`(?:${IPV6RE})(?:\\/(\\p{Nd}+))`, "u");
const EMAIL_CHAR = `${PERL_WORD.slice(0, -1)}+\\-~]`;
const EMAIL_USER = `${EMAIL_CHAR}+(\\.${EMAIL_CHAR}+)*`;
const EMAIL = perlRe(`${EMAIL_USER}@[a-zA-Z0-9\\-]+(\\.[a-zA-Z0-9\\-]+)*`, "u");
const CONFIGID = perlRe("[a-z][a-z0-9_-]+", "i");
const NODE = perlRe("([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)");
const TRANSPORT_IPV6 = perlRe(`ipv6:(${IPV6RE})`, "i");
// pmg_verify_dnsbl_entry, including its `(:?` typos (an optional ':' rather than a non-capturing group).
const DNSBL_OCTET = "(?:[0-9]+|\\[(?:[0-9]+\\.\\.[0-9]+)\\])";
const DNSBL_FILTER = `(?:=${DNSBL_OCTET}(:?\\.${DNSBL_OCTET}){3})`;
const DNSBL = perlRe(`(${NAMERE}\\.)*${NAMERE}(:?${DNSBL_FILTER})?(?:\\*-?\\p{Nd}+)?`, "u");
const DKIM_RECORD = /\._domainkey\tIN\tTXT\t\( "v=DKIM1; h=sha256; k=rsa; ".+ \) {2}; ----- DKIM key/ms;

export const isIp = (v: string): boolean => IP.test(v);
export const isIpv4 = (v: string): boolean => IPV4_ONLY.test(v);
export const isIpv6 = (v: string): boolean => IPV6_ONLY.test(v);
export const isDnsName = (v: string): boolean => DNS_NAME.test(v);

function cidrOk(re: RegExp, value: string, max: number): boolean {
  const m = re.exec(value);
  if (!m) return false;
  const bits = perlNum(m[1]);
  return bits > 7 && bits <= max;
}

export const verifyAddress: Validator = (v) =>
  isIp(v) || isDnsName(v) ? null : `value does not look like a valid address: ${v}\n`;

export const verifyTransportDomainOrEmail: Validator = (v) =>
  TRANSPORT_EMAIL.test(v) || TRANSPORT_DOMAIN.test(v)
    ? null
    : "value does not look like a valid transport domain or email address\n";

export const verifyTransportAddress: Validator = (v) =>
  TRANSPORT_IPV6.test(v) || verifyAddress(v) === null ? null : "value does not look like a valid address\n";

/** Registered formats, by the name check_format derives (a `-list` or `-opt` suffix is split off). */
export const FORMATS: Record<string, Validator> = {
  "dns-name": (v) => (isDnsName(v) ? null : "value does not look like a valid DNS name\n"),
  CIDR: (v) =>
    cidrOk(CIDR4, v, 32) || cidrOk(CIDR6, v, 128) ? null : "value does not look like a valid CIDR network\n",
  CIDRv4: (v) => (cidrOk(CIDR4, v, 32) ? null : "value does not look like a valid IPv4 CIDR network\n"),
  CIDRv6: (v) => (cidrOk(CIDR6, v, 128) ? null : "value does not look like a valid IPv6 CIDR network\n"),
  ip: (v) => (isIp(v) ? null : "value does not look like a valid IP address\n"),
  ipv4: (v) => (isIpv4(v) ? null : "value does not look like a valid IPv4 address\n"),
  ipv6: (v) => (isIpv6(v) ? null : "value does not look like a valid IPv6 address\n"),
  address: verifyAddress,
  email: (v) => (EMAIL.test(v) ? null : "value does not look like a valid email address\n"),
  "pve-configid": (v) => (CONFIGID.test(v) ? null : `invalid configuration ID '${v}'\n`),
  "pve-node": (v) => (NODE.test(v) ? null : "value does not look like a valid node name\n"),
  // PMG >= 8.1.9 registers is_valid_realm, which returns 0/1 and never dies: nothing is rejected.
  "pmg-realm": () => null,
  "transport-domain": (v) =>
    TRANSPORT_DOMAIN.test(v) ? null : "value does not look like a valid transport domain\n",
  "transport-domain-or-email": verifyTransportDomainOrEmail,
  "transport-address": verifyTransportAddress,
  "dnsbl-entry": (v) => (DNSBL.test(v) ? null : `value '${v}' does not look like a valid dnsbl entry\n`),
  "pmg-dkim-record": (v) =>
    DKIM_RECORD.test(v) ? null : "value does not look like a valid DKIM TXT record\n",
  string: () => null,
};

/** PVE::JSONSchema::check_format: returns the validator's error text or null. */
export function checkFormat(format: string, value: string): string | null {
  if (format === "regex") return null;
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format) as RegExpExecArray;
  const name = m[1];
  const kind = m[2] ?? "none";
  const validator = FORMATS[name];
  if (!validator) return `undefined format '${format}'\n`;
  if (kind === "list") {
    for (const item of splitList(value)) {
      const err = validator(item);
      if (err !== null) return err;
    }
    return null;
  }
  if (kind === "opt") return perlTrue(value) ? validator(value) : null;
  return validator(value);
}
