// Instrumentation of the stand-in console: what it saw, and fault switches (not part of the real API).

export interface Counters {
  /** Every HTTP request, faulted and unauthenticated ones included. */
  requests: number;
  /** Requests per "METHOD <route>", e.g. "PUT /v2/static-dns/{id}" or "GET /integration/dns/policies". */
  requestsByRoute: Record<string, number>;
  tcpConnections: number;
  tlsConnections: number;
  /** POST /api/auth/login attempts, successful and failed and throttled. */
  loginAttempts: number;
  /** Logins that issued a session. */
  logins: number;
  /** Logins answered 429 (AUTHENTICATION_FAILED_LIMIT_REACHED). */
  loginsThrottled: number;
  /** 401 answers. */
  authFailures: number;
  /** 429 answers to data requests (the throttle fault). */
  throttled: number;
  /** Record writes; each reloads dnsmasq on a real gateway (about 1-2 s of DNS outage). */
  dnsmasqReloads: number;
}

export function newCounters(): Counters {
  return {
    requests: 0,
    requestsByRoute: {},
    tcpConnections: 0,
    tlsConnections: 0,
    loginAttempts: 0,
    logins: 0,
    loginsThrottled: 0,
    authFailures: 0,
    throttled: 0,
    dnsmasqReloads: 0,
  };
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export type FailStatus = 500 | 502 | 503 | 504;

export type Fate =
  | { kind: "normal" }
  | { kind: "drop" }
  | { kind: "dropAfter" }
  | { kind: "fail"; status: FailStatus }
  | { kind: "throttle"; retryAfterSec?: number };

/**
 * What happens to the next requests, consumed in arrival order. Each switch takes an optional
 * `only`: the fault then waits for a request whose "METHOD <route>" contains it (e.g. "POST",
 * "PUT /v2"), and other requests pass normally.
 */
export class Faults {
  /** Added before every answer, faulted ones too. */
  latencyMs = 0;
  private queue: { fate: Fate; only?: string }[] = [];

  private push(n: number, fate: Fate, only?: string): void {
    for (let i = 0; i < n; i++) this.queue.push({ fate, only });
  }

  /** Answer the next `n` requests with `status`, unhandled. */
  failNext(n: number, status: FailStatus = 503, only?: string): void {
    this.push(n, { kind: "fail", status }, only);
  }

  /** Answer the next `n` requests 429, with Retry-After when given (the data API may send one). */
  throttleNext(n: number, retryAfterSec?: number, only?: string): void {
    this.push(n, { kind: "throttle", retryAfterSec }, only);
  }

  /** Destroy the socket of the next `n` requests, unhandled. */
  dropNext(n: number, only?: string): void {
    this.push(n, { kind: "drop" }, only);
  }

  /** Handle the next `n` requests fully (writes happen), then destroy the socket instead of answering. */
  dropAfterHandlingNext(n: number, only?: string): void {
    this.push(n, { kind: "dropAfter" }, only);
  }

  /** The fate of one arriving request, `request` being "METHOD <route>". */
  take(request: string): Fate {
    const i = this.queue.findIndex((q) => q.only === undefined || request.includes(q.only));
    return i < 0 ? { kind: "normal" } : this.queue.splice(i, 1)[0].fate;
  }

  clear(): void {
    this.latencyMs = 0;
    this.queue = [];
  }

  get pending(): number {
    return this.queue.length;
  }
}
