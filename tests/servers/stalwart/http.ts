// Answers of the Stalwart stand-in: JSON bodies, and `application/problem+json` for HTTP-level
// failures with the exact titles and details Stalwart sends (reference README §2-§3, jmap-0.16.md §1).

export interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string | string[]>;
  /** REST management answers serialize object keys in hash-map order; shuffle them like the server. */
  shuffleKeys?: boolean;
}

export function json(body: unknown, status = 200): Reply {
  return { status, body, contentType: "application/json" };
}

export function problem(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers?: Reply["headers"],
): Reply {
  return {
    status,
    body: { type: "about:blank", status, title, detail, ...extra },
    contentType: "application/problem+json",
    headers,
  };
}

export const UNAUTHORIZED_DETAIL = "You have to authenticate first.";

export const forbidden = () =>
  problem(403, "Forbidden", "You do not have enough permissions to access this resource.");
export const notFound = () =>
  problem(404, "Not Found", "The requested resource does not exist on this server.");
export const invalidParameters = (detail = "JSON deserialization failed") =>
  problem(400, "Invalid parameters", detail);
export const tooManyAuth = () =>
  problem(
    429,
    "Too Many Authentication Attempts",
    "Your request has been rate limited. Please try again in a few minutes.",
  );

const TITLES: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  429: "Too Many Requests",
};

export function failure(status: number): Reply {
  return problem(
    status,
    TITLES[status] ?? "Error",
    status === 429
      ? "Your request has been rate limited. Please try again in a few minutes."
      : "There was a problem processing your request.",
  );
}

/** Object keys in a random order at every level (REST bodies come from hash maps: never rely on order). */
export function shuffled(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shuffled);
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, shuffled(v)] as const);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
    return Object.fromEntries(entries);
  }
  return value;
}
