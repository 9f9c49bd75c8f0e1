/**
 * PMG returns values parsed out of flat files as JSON strings ("25"), values from pmg.conf as
 * numbers, and booleans as 0/1. Every read of PMG goes through here, so providers compare real
 * values and never flap on `"25"` against `25`.
 */
export type PmgType = "string" | "integer" | "boolean";

export function toInt(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(String(value).trim());
  return Number.isInteger(n) ? n : undefined;
}

export function toBool(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  return String(value).trim() === "1" || String(value).trim().toLowerCase() === "true";
}

/** Coerces the named fields of one PMG record; other fields pass through as they are. */
export function coerce<T extends Record<string, unknown>>(record: T, types: Record<string, PmgType>): T {
  const out: Record<string, unknown> = { ...record };
  for (const [key, type] of Object.entries(types)) {
    if (!(key in out)) continue;
    out[key] =
      type === "integer"
        ? toInt(out[key])
        : type === "boolean"
          ? toBool(out[key])
          : out[key] == null
            ? undefined
            : String(out[key]);
  }
  return out as T;
}
