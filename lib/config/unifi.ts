/** `homelab-mail:unifi`: the internal records on the UniFi console. */
import { isIP } from "node:net";
import * as v from "../validate";
import * as unifiRules from "../../providers/unifi/records";
import type { Problems } from "./problems";
import type { PmgConfig, StalwartConfig, UnifiConfig, UnifiRecordConfig } from "./types";

export function validateUnifi(
  p: Problems,
  value: unknown,
  pmg: PmgConfig | undefined,
  stalwart: StalwartConfig | undefined,
): UnifiConfig | undefined {
  const o = p.object("unifi", value, false);
  if (!o) return undefined;
  p.unknownKeys("unifi", o, ["endpoint", "site", "tlsFingerprint", "zone", "records"]);
  p.check("unifi.endpoint", o.endpoint, (x) => v.endpoint(x));
  p.check("unifi.site", o.site ?? "default", unifiRules.siteName);
  if (o.tlsFingerprint !== undefined) p.check("unifi.tlsFingerprint", o.tlsFingerprint, v.sha256Fingerprint);
  if (o.zone !== undefined) p.check("unifi.zone", o.zone, unifiRules.recordName);
  const zone = String(o.zone ?? "lab.local").toLowerCase();
  const records =
    o.records === undefined ? defaultUnifiRecords(p, zone, pmg, stalwart) : unifiRecords(p, o.records);
  return {
    endpoint: String(o.endpoint),
    site: String(o.site ?? "default"),
    tlsFingerprint: o.tlsFingerprint as string | undefined,
    zone,
    records,
  };
}

function unifiRecords(p: Problems, value: unknown): UnifiRecordConfig[] {
  const seen = new Map<string, string>();
  return p.list_("unifi.records", value).flatMap((r, i) => {
    const path = `unifi.records[${i}]`;
    const o = p.object(path, r);
    if (!o) return [];
    p.unknownKeys(path, o, ["name", "type", "value", "ttl"]);
    const before = p.list.length;
    p.check(`${path}.name`, o.name, unifiRules.recordName);
    p.check(`${path}.type`, o.type, unifiRules.recordType);
    p.check(`${path}.value`, o.value, (x) => unifiRules.recordValue(o.type, x));
    p.check(`${path}.ttl`, o.ttl, unifiRules.recordTtl);
    if (p.list.length > before) return [];
    const type = o.type as unifiRules.RecordType;
    const name = unifiRules.normalizeName(String(o.name));
    const value = unifiRules.normalizeValue(type, String(o.value));
    const clash = seen.get(`${name}|${type}`) ?? seen.get(type === "CNAME" ? name : `${name}|CNAME`);
    // Two records of one name and type, or a CNAME beside another record, stop the gateway's dnsmasq.
    if (clash) p.add(path, `${type} ${name} clashes with ${clash}; UniFi takes one per name and type`);
    seen.set(`${name}|${type}`, `${type} ${name}`).set(name, `${type} ${name}`);
    return [{ name, type, value, ttl: o.ttl as number | undefined }];
  });
}

/**
 * The mission's two internal names by default: pmg.<zone> at the PMG host and mail.<zone> at
 * Stalwart's, each taken from the first of its hosts that is an IP address literal (an A record
 * cannot point at a name, and the name may well be the one this record defines).
 */
function defaultUnifiRecords(
  p: Problems,
  zone: string,
  pmg: PmgConfig | undefined,
  stalwart: StalwartConfig | undefined,
): UnifiRecordConfig[] {
  if (!pmg) return [];
  const host = (url: string | undefined) => {
    try {
      return url ? new URL(url).hostname.replace(/^\[|\]$/g, "") : undefined;
    } catch {
      return undefined;
    }
  };
  const wanted: [string, (string | undefined)[], string][] = [
    ["pmg", [host(pmg.endpoint), pmg.ssh?.host], "homelab-mail:pmg.endpoint nor pmg.ssh.host"],
    [
      "mail",
      [host(stalwart?.endpoint), pmg.transport.host],
      "homelab-mail:stalwart.endpoint nor pmg.transport.host",
    ],
  ];
  return wanted.flatMap(([label, hosts, keys]) => {
    const address = hosts.find((h) => h !== undefined && isIP(h) !== 0);
    if (!address) {
      p.add(
        "unifi.records",
        `${label}.${zone} has no default: neither ${keys} is an IP address; list the records, e.g. [{name: ${label}.${zone}, type: A, value: <its address>}]`,
      );
      return [];
    }
    const type = isIP(address) === 4 ? "A" : "AAAA";
    return [{ name: `${label}.${zone}`, type, value: unifiRules.normalizeValue(type, address) }];
  });
}
