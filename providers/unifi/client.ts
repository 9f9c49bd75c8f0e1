/**
 * UniFi Network client: an API key in `X-API-Key` on every request, so there is no login at all
 * (UniFi OS throttles logins, successful ones included, with a 429 and no Retry-After for about 45 s:
 * reference §5). One keep-alive pool per console, pinned to its self-signed certificate.
 *
 * Throttling is answered by backing off, never by retrying harder: a 429 pauses every request of this
 * client (not only the one that saw it) for Retry-After or a growing backoff, and the bound is small.
 * A 401 is never retried: with an API key there is nothing to renew, only a key to fix.
 */
import { fetch, type Agent } from "undici";
import { ApiError, type ApiErrorDetails } from "../../lib/errors";
import {
  RedirectError,
  refuseRedirect,
  backoffMs,
  createDispatcher,
  retryable,
  sleep,
  TlsPinError,
  transportErrorCode,
  type RetryPolicy,
} from "../http";

export interface UnifiClientOptions {
  /** `https://console` (UniFi OS); `/proxy/network/...` paths are added. */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly tlsFingerprint?: string;
  readonly retry?: RetryPolicy;
}

/** go-unifi's schedule for the console's throttling: from 1 s, doubling, capped at 30 s. */
export const UNIFI_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 };
/** A Retry-After longer than this is not waited out inside one provider call: the error says to retry later. */
const MAX_WAIT_MS = 120_000;

export class UnifiApiError extends ApiError {
  constructor(
    d: Omit<ApiErrorDetails, "system">,
    /** The console's own error code (`api.err.…` on v2, `api.request.…` on the integration API). */
    readonly serverCode?: string,
    hint?: string,
  ) {
    super(
      { ...d, system: "unifi" },
      d.status === 401 || d.status === 403 ? "E_UNIFI_AUTH" : "E_UNIFI_API",
      hint,
    );
  }
}

export interface Reply<T> {
  readonly status: number;
  readonly data: T;
}

interface Raw {
  status: number;
  ok: boolean;
  data: unknown;
  message: string;
  code?: string;
  retryAfter: string | null;
  transport?: string;
}

const HINTS: Record<number, string> = {
  401: "the console rejected the API key: check the secret homelab-mail:unifiApiKey (Settings > Control Plane > Integrations; API keys need UniFi OS with Network 9.0 or later)",
  403: "the API key's user may not change DNS records on this site: give it at least the Network Site Admin role",
  429: "the console is throttling requests; wait a minute and run pulumi up again",
};

export class UnifiClient {
  readonly counters = { requests: 0, retries: 0, throttled: 0 };
  readonly endpoint: string;
  private readonly dispatcher: Agent;
  private pausedUntil = 0;
  private throttleStreak = 0;

  constructor(private readonly opts: UnifiClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, "");
    this.dispatcher = createDispatcher({ tlsFingerprint: opts.tlsFingerprint });
  }

  /** One request; statuses in `accept` are answers (a 404 that means "gone"), every other failure throws. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<Reply<T>> {
    const policy = this.opts.retry ?? UNIFI_RETRY;
    // The console rejects a throttled request before handling it, so even a POST may be sent again
    // after a 429; after a 5xx or a cut connection only the idempotent methods may.
    const idempotent = method !== "POST";
    for (let attempt = 0; ; attempt++) {
      await this.waitOutThrottle();
      const r = await this.send(method, path, body);
      if (r.status === 429) {
        this.counters.throttled++;
        const wait = this.throttleDelay(policy, r.retryAfter);
        if (attempt < policy.retries && wait <= MAX_WAIT_MS) {
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
          this.counters.retries++;
          continue;
        }
      } else if (r.ok || accept.includes(r.status)) {
        this.throttleStreak = 0;
        return { status: r.status, data: r.data as T };
      } else if (
        attempt < policy.retries &&
        r.status !== 401 &&
        r.status !== 403 &&
        retryable(r.transport, r.status, idempotent)
      ) {
        this.counters.retries++;
        await sleep(backoffMs(attempt, policy, r.retryAfter));
        continue;
      }
      throw new UnifiApiError(
        { method, path, status: r.status, serverMessage: r.message },
        r.code,
        HINTS[r.status],
      );
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async waitOutThrottle(): Promise<void> {
    for (let left = this.pausedUntil - Date.now(); left > 0; left = this.pausedUntil - Date.now())
      await sleep(left);
  }

  /** Retry-After when the console sends one (the data API may); otherwise a backoff that grows per throttle in a row. */
  private throttleDelay(policy: RetryPolicy, retryAfter: string | null): number {
    const streak = this.throttleStreak++;
    const after = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : NaN;
    if (Number.isFinite(after)) return after;
    return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** streak);
  }

  private async send(method: string, path: string, body: unknown): Promise<Raw> {
    const headers: Record<string, string> = { "x-api-key": this.opts.apiKey, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    this.counters.requests++;
    try {
      const res = await fetch(this.endpoint + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.dispatcher,
        redirect: "manual",
      });
      refuseRedirect(res, this.endpoint + path, "unifi.endpoint");
      const text = await res.text();
      let data: unknown = undefined;
      try {
        data = text ? JSON.parse(text) : undefined;
      } catch {
        data = undefined;
      }
      const { message, code } = errorOf(data);
      return {
        status: res.status,
        ok: res.ok,
        data,
        message:
          (message ?? (text && !data ? text.slice(0, 200) : res.statusText) ?? "").trim() ||
          `HTTP ${res.status}`,
        code,
        retryAfter: res.headers.get("retry-after"),
      };
    } catch (err) {
      if (err instanceof RedirectError) throw err;
      const pin = findPinError(err);
      if (pin) throw pin;
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      return {
        status: 0,
        ok: false,
        data: undefined,
        message: cause,
        retryAfter: null,
        transport: transportErrorCode(err) ?? "UND_ERR_SOCKET",
      };
    }
  }
}

/**
 * The console's error bodies: v2 `{code, message, errorCode}`, the integration API's
 * `{statusCode, statusName, code, message, …}`, the classic `{meta: {rc, msg}}`, and UniFi OS's own
 * `{error: {code, message}}` in front of the Network application.
 */
function errorOf(data: unknown): { message?: string; code?: string } {
  if (!data || typeof data !== "object" || Array.isArray(data)) return {};
  const d = data as {
    message?: unknown;
    code?: unknown;
    meta?: { msg?: unknown };
    error?: { message?: unknown };
  };
  const message = [d.message, d.meta?.msg, d.error?.message].find((m) => typeof m === "string") as
    string | undefined;
  return { message, code: typeof d.code === "string" ? d.code : undefined };
}

function findPinError(err: unknown): TlsPinError | undefined {
  for (let e = err, depth = 0; e && depth < 4; depth++, e = (e as { cause?: unknown }).cause) {
    if (e instanceof TlsPinError) return e;
  }
  return undefined;
}
