/**
 * Making one declared record exist on a console that accepts duplicates (reference §6): never POST
 * blind. List first; adopt an identical record; refuse a differing one unless adoption was asked
 * for; refuse always where a duplicate or a CNAME clash is already there, because more records of
 * one name can stop the gateway's dnsmasq, and with it DNS and DHCP for the whole network.
 */
import { AdoptionRefusedError } from "../../lib/errors";
import { UnifiApiError } from "./client";
import { clashes, describeRecord, differences, type ListedRecord, type RecordSpec } from "./records";
import { rewrite, type DnsSurface } from "./surface";

export interface Place {
  readonly endpoint: string;
  readonly site: string;
}

const where = (spec: RecordSpec, place: Place) =>
  `unifi: ${spec.type} record ${spec.name} on ${place.endpoint} (site ${place.site})`;

const ADOPT_HOW =
  "To adopt it and overwrite those fields, run `pulumi config set homelab-mail:adoptExisting true` and `pulumi up` " +
  "(then `pulumi config rm homelab-mail:adoptExisting`); or change the declaration to match and run `pulumi up`.";

export async function ensureRecord(
  surface: DnsSurface,
  spec: RecordSpec,
  place: Place,
  adoptExisting: boolean,
): Promise<ListedRecord> {
  const { same, other } = clashes(spec, await surface.list());
  if (other.length > 0) {
    throw new AdoptionRefusedError(
      `${where(spec, place)} cannot be created: ${other.map(describeRecord).join(", ")} already exists, and a CNAME cannot share ` +
        `its name with another record. Nothing was changed. Delete the existing record in the console's DNS records, or declare ` +
        `another name, then run \`pulumi up\` (homelab-mail:adoptExisting never replaces a record of another type).`,
    );
  }
  if (same.length > 1) {
    throw new AdoptionRefusedError(
      `${where(spec, place)}: the console already holds ${same.length} of them (${same.map((r) => `${r.value}, id ${r.id}`).join("; ")}). ` +
        `It accepts duplicates, but they can stop its dnsmasq and with it DNS and DHCP. Nothing was changed. Delete all but one ` +
        `in the console's DNS records, then run \`pulumi up\` again.`,
    );
  }
  if (same.length === 1) {
    const have = same[0];
    const diffs = differences(spec, have);
    if (diffs.length === 0) return have;
    if (!adoptExisting) {
      const want: Record<string, unknown> = { value: spec.value, ttl: spec.ttl, enabled: spec.enabled };
      const what = diffs
        .map(
          (f) =>
            `${f} is ${JSON.stringify(have[f as keyof ListedRecord])}, declared ${JSON.stringify(want[f])}`,
        )
        .join("; ");
      throw new AdoptionRefusedError(
        `${where(spec, place)} already exists and differs (${what}). Nothing was changed. ${ADOPT_HOW}`,
      );
    }
    return rewrite(surface, have.id, spec);
  }
  try {
    return await surface.create(spec);
  } catch (e) {
    // No answer, or a 5xx: the POST may have been applied. Judge what is there now instead of guessing.
    if (!(e instanceof UnifiApiError && (e.status === 0 || e.status >= 500))) throw e;
    const now = clashes(spec, await surface.list()).same;
    if (now.length === 1 && differences(spec, now[0]).length === 0) return now[0];
    throw e;
  }
}
