/**
 * HTTP plumbing every API client of this project shares: one keep-alive undici Agent per endpoint,
 * TLS verified by default or pinned to a SHA-256 certificate fingerprint (for appliances with a
 * self-signed certificate; there is deliberately no "insecure" switch), and bounded retries with
 * exponential backoff for idempotent requests.
 */
import { Agent, buildConnector } from "undici";
import type { TLSSocket } from "node:tls";
import { HomelabMailError } from "../lib/errors";

export interface DispatcherOptions {
  /** Pin the server's certificate: `AA:BB:...` (SHA-256, as openssl prints it). */
  readonly tlsFingerprint?: string;
  /** Connect timeout in milliseconds. */
  readonly connectTimeoutMs?: number;
  /** Most connections kept open to one origin: the engine's default parallelism on 2 cores. Default 8. */
  readonly maxConnections?: number;
}

export class TlsPinError extends HomelabMailError {
  constructor(host: string, expected: string, got: string) {
    super(
      "E_TLS_PIN",
      `tls: the certificate of ${host} has fingerprint ${got}, not the pinned ${expected}; ` +
        `if the appliance's certificate was renewed, update its tlsFingerprint in the stack config`,
    );
  }
}

export function normalizeFingerprint(fp: string): string {
  return fp
    .replace(/:/g, "")
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1:");
}

/**
 * How long an idle keep-alive socket is kept: below the shortest idle timeout of the servers we talk
 * to, so a request is never written to a socket the server is closing at that moment. PMG's pmgproxy
 * (pve-http-server) closes a connection idle for its `timeout`, 5 s unless set (AnyEvent.pm, `new`:
 * `$self->{timeout} = 5 if !$self->{timeout}`, armed as the AnyEvent::Handle timeout and re-armed after
 * every response in `response()`), and pmgproxy sets none (pmg-api src/PMG/Service/pmgproxy.pm passes
 * only `keep_alive => 100`). Its `Connection: Keep-Alive` carries no `timeout=` hint, so undici would
 * keep the socket for this value. A FIN that has already arrived is seen before reuse (undici 8
 * scheduleIdleSocketValidation, GHSA-35p6-xmwp-9g52); one still in flight is what this margin covers.
 */
export const KEEP_ALIVE_IDLE_MS = 4_000;

/** A keep-alive Agent; with a fingerprint, the chain is not checked but the leaf must match it exactly. */
export function createDispatcher(opts: DispatcherOptions = {}): Agent {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const pool = {
    keepAliveTimeout: KEEP_ALIVE_IDLE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_IDLE_MS,
    connections: opts.maxConnections ?? 8,
  };
  if (!opts.tlsFingerprint) {
    return new Agent({ ...pool, connect: { timeout } });
  }
  const expected = normalizeFingerprint(opts.tlsFingerprint);
  // No TLS session resumption: a resumed TLS 1.3 session carries no certificate to check the pin against.
  const base = buildConnector({ rejectUnauthorized: false, timeout, maxCachedSessions: 0 });
  return new Agent({
    ...pool,
    connect(options, callback) {
      base(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error("connect failed"), null);
        const got = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256;
        if (!got || normalizeFingerprint(got) !== expected) {
          socket.destroy();
          return callback(new TlsPinError(options.hostname, expected, got ?? "none (not TLS)"), null);
        }
        callback(null, socket);
      });
    },
  });
}

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 200, maxDelayMs: 3_000 };

/** Transport errors after which the request may not have reached the server at all. */
const NOT_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN"]);
/** Transport errors that may have cut a request the server was handling. */
const CUT = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

export function transportErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (NOT_SENT.has(code) || CUT.has(code))) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether a failed attempt may be tried again: never a request that may have changed something twice. */
export function retryable(transportCode: string | undefined, status: number, idempotent: boolean): boolean {
  if (transportCode) return NOT_SENT.has(transportCode) || (idempotent && CUT.has(transportCode));
  return idempotent && (status === 429 || status === 502 || status === 503 || status === 504);
}

export function backoffMs(attempt: number, policy: RetryPolicy, retryAfter?: string | null): number {
  const after = retryAfter ? Number(retryAfter) * 1000 : NaN;
  if (Number.isFinite(after) && after >= 0) return Math.min(after, policy.maxDelayMs);
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A 3xx answer. No client of this project follows redirects (`redirect: "manual"` on every fetch):
 * undici's fetch would otherwise follow up to 20 of them, keep custom headers such as UniFi's
 * `X-API-Key` on a cross-origin hop (only Authorization, Proxy-Authorization, Cookie and Host are
 * dropped: undici lib/web/fetch/index.js, httpRedirectFetch; Fetch standard §4.4 step 13), and
 * re-send the body on a 307/308, i.e. PMG's login form with the password. A redirect means the
 * configured endpoint is not the server's own address, so the error names that key.
 */
export class RedirectError extends HomelabMailError {
  constructor(
    readonly configKey: string,
    readonly status: number,
    from: string,
    location: string | null,
  ) {
    super(
      "E_REDIRECT",
      `${from} answered ${status} redirecting to ${redirectTarget(from, location)}; redirects are never ` +
        `followed (the credentials would go along): set homelab-mail:${configKey} to the server's own ` +
        `https address and port, the one that answers without a redirect`,
    );
  }
}

/** Where a Location header points, without any user:password in it (never echoed into an error). */
function redirectTarget(from: string, location: string | null): string {
  if (!location) return "nowhere (no Location header)";
  try {
    const u = new URL(location, from);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "an unparseable Location";
  }
}

/** Throws RedirectError for a 3xx answer (fetch called with `redirect: "manual"`). */
export function refuseRedirect(
  res: { status: number; headers: { get(name: string): string | null } },
  url: string,
  configKey: string,
): void {
  if ([301, 302, 303, 307, 308].includes(res.status)) {
    const u = new URL(url);
    throw new RedirectError(
      configKey,
      res.status,
      `${u.protocol}//${u.host}${u.pathname}`,
      res.headers.get("location"),
    );
  }
}
