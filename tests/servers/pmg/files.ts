// Writers and readers of the flat files behind the list endpoints, transcribed from pmg-api
// src/PMG/Config.pm (write_pmg_domains/read_pmg_domains, write_pmg_mynetworks/read_pmg_mynetworks,
// write_transport_map/read_transport_map). The server keeps parsed maps in its state and passes
// them through write→read on every access, so what comes back is what a real gateway would read
// back from its files (comments lost to newlines, IP hosts forcing use_mx=0, ports as strings...).
import { verifyTransportAddress, verifyTransportDomainOrEmail } from "./formats";
import { IPV4RE, IPV6RE, perlSort, perlTrue } from "./perl";

export interface DomainEntry {
  domain?: string;
  comment?: string | null;
}

export interface NetworkEntry {
  cidr?: string;
  comment?: string | null;
  network_address?: string;
  prefix_size?: string;
}

export interface TransportEntry {
  domain?: string;
  host: string;
  protocol?: string;
  port: string | number;
  use_mx: string | number;
  comment?: string | null;
}

/** Lines as Perl's `while (<$fh>) { chomp ... }` sees them. */
export function fileLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

const BLANK = /^[ \t\r\f\v]*$/;
const COMMENT = /^#([^\n]*)$/;

export function writeDomains(map: Map<string, DomainEntry>): string {
  let out = "";
  for (const domain of perlSort(map.keys())) {
    const comment = map.get(domain)?.comment;
    if (comment !== undefined && comment !== null && !/^\s*$/.test(comment)) out += `#${comment}\n`;
    out += `${domain} 1\n`;
  }
  return out;
}

export function readDomains(text: string): Map<string, { domain: string; comment: string }> {
  const res = new Map<string, { domain: string; comment: string }>();
  let comment = "";
  for (const line of fileLines(text)) {
    if (BLANK.test(line)) continue;
    const c = COMMENT.exec(line);
    if (c) {
      comment = c[1];
      continue;
    }
    const m = /^(\S+)\s/.exec(line);
    if (m) res.set(m[1], { domain: m[1], comment });
    comment = "";
  }
  return res;
}

export function writeMynetworks(map: Map<string, NetworkEntry>): string {
  let out = "";
  for (const cidr of perlSort(map.keys())) {
    out += `${cidr} #${map.get(cidr)?.comment ?? "*"}\n`;
  }
  return out;
}

const MYNET_LINE = new RegExp(`^((?:${IPV4RE}|${IPV6RE}))/(\\d+)[ \\t\\r\\f\\v]*(?:#([^\\n]*))?$`);

export interface NetworkRead {
  cidr: string;
  comment: string;
  network_address: string;
  prefix_size: string;
}

export function readMynetworks(text: string): Map<string, NetworkRead> {
  const res = new Map<string, NetworkRead>();
  for (const line of fileLines(text)) {
    if (BLANK.test(line)) continue;
    const m = MYNET_LINE.exec(line);
    if (!m) continue; // "parse error" warning on the real server
    const cidr = `${m[1]}/${m[2]}`;
    res.set(cidr, { cidr, network_address: m[1], prefix_size: m[2], comment: m[3] ?? "" });
  }
  return res;
}

const IP_HOST = new RegExp(`^(?:${IPV4RE}|(?:ipv6:)?${IPV6RE})$`, "i");

export function writeTransport(map: Map<string, TransportEntry>): string {
  let out = "";
  for (const key of perlSort(map.keys())) {
    const data = map.get(key) as TransportEntry;
    const comment = data.comment;
    if (comment !== undefined && comment !== null && !/^\s*$/.test(comment)) out += `#${comment}\n`;
    let bracket = !perlTrue(data.use_mx);
    let protocol = data.protocol ?? "";
    if (protocol === "lmtp") {
      bracket = false;
      protocol += ":inet";
    }
    if (IP_HOST.test(data.host)) bracket = true;
    const host = bracket ? `[${data.host}]` : data.host;
    out += `${data.domain ?? key} ${protocol}:${host}:${data.port}\n`;
  }
  return out;
}

export interface TransportRead {
  domain: string;
  protocol: string;
  host: string;
  port: string;
  use_mx: number;
  comment: string;
}

export function readTransport(text: string): Map<string, TransportRead> {
  const res = new Map<string, TransportRead>();
  let comment = "";
  for (const line of fileLines(text)) {
    if (BLANK.test(line)) continue;
    const c = COMMENT.exec(line);
    if (c) {
      comment = c[1];
      continue;
    }
    const m = /^(\S+)[ \t\r\f\v]+(?:(lmtp):inet|(smtp)):(\S+):(\d+)[ \t\r\f\v]*$/.exec(line);
    if (!m || verifyTransportDomainOrEmail(m[1]) !== null) {
      comment = "";
      continue;
    }
    const protocol = m[2] ?? m[3];
    let host = m[4];
    let useMx = 1;
    const b = /^\[(.*)\]$/.exec(host);
    if (b) {
      host = b[1];
      useMx = 0;
    }
    if (protocol === "lmtp") useMx = 0;
    if (verifyTransportAddress(host) !== null) {
      comment = "";
      continue;
    }
    res.set(m[1], { domain: m[1], protocol, host, port: m[5], use_mx: useMx, comment });
    comment = "";
  }
  return res;
}
