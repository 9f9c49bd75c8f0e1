// Stalwart ≤0.15 management errors: HTTP 200 with `{"error": "<kind>", ...}`, exactly six kinds
// (crates/http/src/management/mod.rs `ManagementApiError`, README §3).
import { json, type Reply } from "../http";

export class ManagementError extends Error {
  constructor(readonly body: Record<string, unknown>) {
    super(String(body.error));
  }
  reply(): Reply {
    return { ...json(this.body), shuffleKeys: true };
  }
}

export const fieldAlreadyExists = (field: string, value: string) =>
  new ManagementError({ error: "fieldAlreadyExists", field, value });
export const fieldMissing = (field: string) => new ManagementError({ error: "fieldMissing", field });
export const notFound = (item: string) => new ManagementError({ error: "notFound", item });
export const unsupported = (details: string) => new ManagementError({ error: "unsupported", details });
export const other = (details: string, reason: string | null = null) =>
  new ManagementError({ error: "other", details, reason });

/** Rust's Debug of the PATCH value, as the "Invalid value … for <field>" reason prints it. */
export function debugValue(value: unknown): string {
  if (typeof value === "string") return `String(${JSON.stringify(value)})`;
  if (typeof value === "number") return `Integer(${value})`;
  return `StringList(${JSON.stringify(value).replace(/,/g, ", ")})`;
}

export const invalidParameter = (field: string, value: unknown) =>
  other("Invalid parameter", `Invalid value ${debugValue(value)} for ${field}`);
