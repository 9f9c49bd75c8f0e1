/**
 * The two HTTP surfaces over the console's one record store (reference §0): the UI's private v2
 * `static-dns` API and the official integration API's `dns/policies` (Network 10.1+). They list the
 * same records under different ids, so a record is always handled on the surface that created it.
 */
import type { ListedRecord, RecordSpec } from "./records";

export type ApiName = "v2" | "integration";

export interface DnsSurface {
  readonly api: ApiName;
  /** Every record of the site (neither surface can fetch one record reliably: v2 answers 405). */
  list(): Promise<ListedRecord[]>;
  create(spec: RecordSpec): Promise<ListedRecord>;
  /** In place, keeping the id; "unsupported" when this console has no usable PUT (disputed on v2). */
  update(id: string, spec: RecordSpec): Promise<ListedRecord | "unsupported">;
  /** Already gone counts as done. */
  remove(id: string): Promise<void>;
}

/**
 * Makes `id` hold `spec`: a PUT where the console has one, else delete and then create. Never the
 * other way round: two records of one name can stop the gateway's dnsmasq, and with it DNS and DHCP
 * (reference §6), so a moment with no record is the lesser harm. The result may carry a new id.
 */
export async function rewrite(surface: DnsSurface, id: string, spec: RecordSpec): Promise<ListedRecord> {
  const updated = await surface.update(id, spec);
  if (updated !== "unsupported") return updated;
  await surface.remove(id);
  try {
    return await surface.create(spec);
  } catch (e) {
    (e as Error).message =
      `${(e as Error).message}; the console has no usable PUT, so the old record was deleted first and ` +
      `${spec.type} ${spec.name} is missing now: run pulumi up again to create it`;
    throw e;
  }
}
