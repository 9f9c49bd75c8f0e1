/**
 * What the first `pulumi up` does on the UniFi console, read with the providers' own surface (list
 * only): the rules of providers/unifi/ensure.ts (adopt an identical record, refuse a different one
 * unless adoptExisting, refuse always next to a duplicate or a CNAME clash).
 */
import type { MailChainConfig } from "../lib/config";
import { clashes, describeRecord, differences, type RecordSpec } from "../providers/unifi/records";
import { unifiSurface } from "../providers/unifi/settings";
import { ADOPT_FIX, type PlanItem, type PlanSection } from "./types";

export async function planUnifi(config: MailChainConfig): Promise<PlanSection | undefined> {
  const unifi = config.unifi;
  if (!unifi) return undefined;
  const surface = await unifiSurface(unifi.endpoint, unifi.site);
  const listed = await surface.list();
  const items: PlanItem[] = unifi.records.map((r) => {
    const spec: RecordSpec = { name: r.name, type: r.type, value: r.value, ttl: r.ttl, enabled: true };
    const object = `${r.type} ${r.name} -> ${r.value}`;
    const { same, other } = clashes(spec, listed);
    if (other.length > 0)
      return {
        object,
        action: "refuse",
        reason: `${other.map(describeRecord).join(", ")} already exists, and a CNAME cannot share its name`,
        fix: "delete the existing record in the console, or declare another name",
      };
    if (same.length > 1)
      return {
        object,
        action: "refuse",
        reason: `the console holds ${same.length} of them; duplicates can stop its dnsmasq`,
        fix: "delete all but one in the console's DNS records",
      };
    if (same.length === 0) return { object, action: "create" };
    const have = same[0];
    const diffs = differences(spec, have).map((f) => ({
      field: f,
      live: have[f as "value" | "ttl" | "enabled"],
      declared: spec[f as "value" | "ttl" | "enabled"],
    }));
    if (diffs.length === 0) return { object, action: "adopt" };
    if (config.adoptExisting) return { object, action: "change", changes: diffs };
    return {
      object,
      action: "refuse",
      changes: diffs,
      reason: "the record already exists and differs",
      fix: ADOPT_FIX,
    };
  });
  return { system: `unifi (${surface.api} API, site ${unifi.site})`, endpoint: unifi.endpoint, items };
}
