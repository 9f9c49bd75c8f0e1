/**
 * Stalwart's errors, in the project's one hierarchy (lib/errors.ts). Stalwart reports failures in
 * three shapes, and each keeps the server's own kind and details:
 *  - REST management errors: HTTP 200 with `{"error": "<kind>", ...}` (fieldAlreadyExists, notFound, other, ...);
 *  - HTTP problems: `application/problem+json` with a real status (401, 403, 404, 400, 429, 500);
 *  - JMAP method errors (`["error", {type}]`) and SetErrors (`notCreated`/`notUpdated`/`notDestroyed`).
 */
import { ApiError, HomelabMailError } from "../../lib/errors";

export interface StalwartErrorInit {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Stalwart's own kind: the REST `error`, the problem `title`, or the JMAP error `type`. */
  readonly kind: string;
  /** The rest of Stalwart's error body (field, value, item, details, reason, properties, objectId, ...). */
  readonly details?: Record<string, unknown>;
  /** What the message says, when the kind and details alone do not read well. */
  readonly message?: string;
}

export class StalwartApiError extends ApiError {
  readonly kind: string;
  readonly details: Record<string, unknown>;
  constructor(e: StalwartErrorInit, hint?: string) {
    super(
      {
        system: "stalwart",
        method: e.method,
        path: e.path,
        status: e.status,
        serverMessage: e.message ?? describe(e.kind, e.details ?? {}),
      },
      "E_STALWART_API",
      hint,
    );
    this.kind = e.kind;
    this.details = e.details ?? {};
  }

  /** The principal, domain or id the request named does not exist. */
  get notFound(): boolean {
    return this.kind === "notFound";
  }
}

/**
 * The hint for a role the caller may not grant: Stalwart lets an account grant a role only when it
 * holds every permission of that role. 0.10-0.15 answer 200 `other` "Invalid role" / "Your account
 * cannot grant the \"user\" role" (crates/http/src/management/principal.rs:136-160 at v0.15.5); 0.16
 * a `forbidden` SetError "You are not authorized to grant permissions: ..." (crates/jmap/src/registry/
 * mapping/principal.rs:257-263, 490-507 at d72608f3).
 */
export function grantHint(kind: string, text: string): string | undefined {
  const rest = kind === "other" && /cannot grant the/.test(text);
  const jmap = kind === "forbidden" && /not authorized to grant permissions/.test(text);
  if (!rest && !jmap) return undefined;
  return (
    "the Stalwart account homelab-mail logs in with must itself hold every permission of the roles it gives " +
    "(accounts get [user] unless roles says otherwise): give that account (homelab-mail:stalwart.username, or the owner of homelab-mail:stalwartApiKey) the admin role"
  );
}

/** `kind: key value, key value` from an error body, skipping what is empty. */
function describe(kind: string, details: Record<string, unknown>): string {
  // Stalwart serializes from hash maps, so key order varies: print the usual keys in a fixed order.
  const rank = (k: string) => {
    const i = ["field", "value", "item", "details", "reason"].indexOf(k);
    return i < 0 ? 99 : i;
  };
  const parts = Object.entries(details)
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k} ${typeof v === "string" ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? `${kind}: ${parts.join(", ")}` : kind;
}

/** The server speaks neither management API this program knows. */
export class StalwartVersionError extends HomelabMailError {
  constructor(message: string) {
    super("E_STALWART_VERSION", message);
  }
}

/** Deleting would destroy mail or make addresses non-local: refused, nothing was changed. */
export class DestructiveDeleteRefusedError extends HomelabMailError {
  constructor(message: string) {
    super("E_STALWART_DELETE_REFUSED", message);
  }
}
