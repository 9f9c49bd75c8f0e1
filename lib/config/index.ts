/**
 * The stack configuration is the product's interface. This module checks all of it up front and
 * reports every problem at once, each naming its config key and the fix, before a single resource
 * is registered. It has no Pulumi in it: the program passes the raw values in.
 */
import * as v from "../validate";
import { ConfigError } from "../errors";
import { validateRouting, validateDns } from "./mail";
import { validateFetchmail, validatePmg, stalwartHost } from "./pmg";
import { Problems, type Raw } from "./problems";
import { refuseCredentialKeys, refusePlainTextCredentials } from "./secrets";
import { validateStalwart } from "./stalwart";
import { PROJECT, type MailChainConfig, type SecretKey } from "./types";
import { validateUnifi } from "./unifi";

export * from "./types";

/**
 * Validates the raw stack config (`project:key` stripped), the names of the secrets that are set,
 * and the credential keys that were set without `--secret` (lib/config/secrets.ts).
 */
export function validateConfig(
  raw: Raw,
  secretsSet: ReadonlySet<string>,
  plainTextCredentials: Iterable<string> = [],
): MailChainConfig {
  const p = new Problems();
  refusePlainTextCredentials(p, plainTextCredentials);
  for (const [key, value] of Object.entries(raw)) refuseCredentialKeys(p, key, value);
  const domains = p.list_("domains", raw.domains).flatMap((d, i) => {
    const o = p.object(`domains[${i}]`, d);
    if (!o) return [];
    p.unknownKeys(`domains[${i}]`, o, ["name", "cloudflareZoneId", "spfRecordId"]);
    if (
      o.spfRecordId !== undefined &&
      (typeof o.spfRecordId !== "string" || !/^[0-9a-f]{32}$/.test(o.spfRecordId))
    ) {
      p.add(
        `domains[${i}].spfRecordId`,
        "must be the 32-character hex id of the zone's existing SPF record (Cloudflare API: list dns_records)",
      );
    }
    p.check(`domains[${i}].name`, o.name, v.mailDomain);
    if (typeof o.cloudflareZoneId !== "string" || !/^[0-9a-f]{32}$/.test(o.cloudflareZoneId)) {
      p.add(
        `domains[${i}].cloudflareZoneId`,
        "must be the zone's 32-character hex id as a quoted string (Cloudflare dashboard, zone Overview)",
      );
    }
    const spfRecordId = o.spfRecordId as string | undefined;
    return [
      { name: String(o.name).toLowerCase(), cloudflareZoneId: String(o.cloudflareZoneId), spfRecordId },
    ];
  });
  if (domains.length === 0 && Array.isArray(raw.domains)) p.add("domains", "must name at least one domain");
  const names = domains.map((d) => d.name);
  names.forEach((n, i) => names.indexOf(n) !== i && p.add(`domains[${i}].name`, `"${n}" is listed twice`));

  const cloudflareAccountId = p.string(
    "cloudflareAccountId",
    raw.cloudflareAccountId,
    raw.routing !== undefined,
  );
  if (cloudflareAccountId !== undefined && !/^[0-9a-f]{32}$/.test(cloudflareAccountId)) {
    p.add("cloudflareAccountId", "must be the account's 32-character hex id");
  }
  const routing = validateRouting(p, raw.routing, names);
  const stalwart = validateStalwart(p, raw.stalwart, names);
  const pmg = validatePmg(p, raw.pmg, stalwartHost(stalwart), names);
  const fetchmail = validateFetchmail(p, raw.fetchmail, names, routing);
  const dns = validateDns(p, raw.dns);
  const unifi = validateUnifi(p, raw.unifi, pmg, stalwart);
  if (raw.adoptExisting !== undefined && typeof raw.adoptExisting !== "boolean") {
    p.add("adoptExisting", "must be true or false");
  }

  const needs: [SecretKey, boolean][] = [
    ["pmgPassword", true],
    ["stalwartPassword", stalwart !== undefined && !secretsSet.has("stalwartApiKey")],
    ["pmgSshPrivateKey", pmg?.ssh !== undefined],
    ["gmailFetchmailPassword", fetchmail !== undefined],
    // The PMG host resources (components/PmgHost.ts) write the smarthost's SASL map.
    ["gmailSmarthostPassword", pmg?.ssh !== undefined && fetchmail !== undefined],
    ["unifiApiKey", unifi !== undefined],
  ];
  for (const [key, needed] of needs) {
    if (needed && !secretsSet.has(key))
      p.add(key, `is not set; run: pulumi config set --secret ${PROJECT}:${key}`);
  }
  if (p.list.length > 0 || !pmg) throw new ConfigError(p.list);
  return {
    domains,
    cloudflareAccountId,
    routing,
    pmg,
    stalwart,
    fetchmail,
    dns,
    unifi,
    adoptExisting: raw.adoptExisting === true,
    warnings: p.warnings,
  };
}
