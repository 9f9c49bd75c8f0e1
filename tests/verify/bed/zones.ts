// Zone files for the verify bed's BIND: the mail records of example.net and example.org and the
// internal lab.local names, healthy, and with the breaks the suite expects verify to name.
import { formatTxtContent } from "../../../lib/records";
import type { MailChainOutputs } from "../../../lib/outputs";
import type { Zones } from "./bind";

type Rr = [name: string, type: "A" | "TXT", value: string];

export function zoneFile(origin: string, records: Rr[]): string {
  const lines = [
    "$TTL 60",
    `$ORIGIN ${origin}.`,
    `@ IN SOA ns.${origin}. hostmaster.${origin}. 1 60 60 600 60`,
    `@ IN NS ns.${origin}.`,
    "ns IN A 127.0.0.1",
    // TXT as Cloudflare serves it: quoted strings of at most 255 bytes (a 2048-bit key takes two).
    ...records.map(
      ([name, type, value]) => `${name} IN ${type} ${type === "TXT" ? formatTxtContent(value) : value}`,
    ),
  ];
  return lines.join("\n") + "\n";
}

/** The label of `fqdn` relative to `origin` (`pmg2026._domainkey`), or `@`. */
const relative = (fqdn: string, origin: string) =>
  fqdn === origin ? "@" : fqdn.slice(0, -(origin.length + 1));

function mailRecords(o: MailChainOutputs, domain: string): Rr[] {
  return [
    ["@", "TXT", o.mailRecords![domain].spf],
    ["@", "TXT", `google-site-verification=verify-bed-${domain}`],
    ["_dmarc", "TXT", o.mailRecords![domain].dmarc],
    [relative(o.dkim[domain].name, domain), "TXT", o.dkim[domain].value],
  ];
}

function labRecords(o: MailChainOutputs): Rr[] {
  return (o.internalRecords ?? []).map((r) => [relative(r.name, "lab.local"), "A", r.value]);
}

export function healthyZones(o: MailChainOutputs): Zones {
  return {
    "example.net": zoneFile("example.net", mailRecords(o, "example.net")),
    "example.org": zoneFile("example.org", mailRecords(o, "example.org")),
    "lab.local": zoneFile("lab.local", labRecords(o)),
  };
}

/** One character of a DKIM key changed, in the middle of the base64. */
export function offByOne(value: string): string {
  const at = value.indexOf("p=") + 120;
  return value.slice(0, at) + (value[at] === "A" ? "B" : "A") + value.slice(at + 1);
}

/**
 * example.net: the DKIM key differs by one character, and a second SPF record (as Cloudflare's own);
 * example.org: no DMARC record; lab.local: mail.lab.local points elsewhere.
 */
export function brokenZones(o: MailChainOutputs): Zones {
  const net = mailRecords(o, "example.net").map(([n, t, v]): Rr =>
    n.endsWith("_domainkey") ? [n, t, offByOne(v)] : [n, t, v],
  );
  net.push(["@", "TXT", "v=spf1 include:_spf.mx.cloudflare.net ~all"]);
  const org = mailRecords(o, "example.org").filter(([n]) => n !== "_dmarc");
  const lab = labRecords(o).map(([n, t, v]): Rr => (n === "mail" ? [n, t, "192.0.2.99"] : [n, t, v]));
  return {
    "example.net": zoneFile("example.net", net),
    "example.org": zoneFile("example.org", org),
    "lab.local": zoneFile("lab.local", lab),
  };
}
