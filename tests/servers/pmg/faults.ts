// Instrumentation of the stand-in: counters and fault switches (not part of the real API).

export interface Counters {
  /** Successful password logins (POST /access/ticket with a password). */
  logins: number;
  /** Successful renewals (POST /access/ticket with a valid ticket as password). */
  renewals: number;
  /** All HTTP requests received, including faulted and unauthenticated ones. */
  requests: number;
  /** Requests per "METHOD /relative/path" (path below /api2/json, URL-decoded). */
  requestsByPath: Record<string, number>;
  /** Requests per "METHOD /route/{template}" for the routes the server serves. */
  requestsByRoute: Record<string, number>;
  /** TCP connections accepted. */
  tcpConnections: number;
  /** TLS handshakes completed. */
  tlsConnections: number;
  /** 401 answers (missing/invalid ticket, CSRF, API token, failed login). */
  authFailures: number;
  /** Full config regenerations (PUT /config/mail or /config/admin: rewrite_config). */
  configRewrites: number;
}

export function newCounters(): Counters {
  return {
    logins: 0,
    renewals: 0,
    requests: 0,
    requestsByPath: {},
    requestsByRoute: {},
    tcpConnections: 0,
    tlsConnections: 0,
    authFailures: 0,
    configRewrites: 0,
  };
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export type FailStatus = 500 | 502 | 503 | 429;

export const FAIL_REASONS: Record<FailStatus, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  429: "Too Many Requests",
};

/** What to do with the next requests; consumed in arrival order. */
export class Faults {
  /** Added before every reply (also to faulted ones). */
  latencyMs = 0;
  private failQueue: FailStatus[] = [];
  private drops = 0;
  private dropsMethod?: string;
  private dropsAfter = 0;
  private dropsAfterMethod?: string;

  /** Answer the next `n` requests with `status` without handling them. */
  failNext(n: number, status: FailStatus = 500): void {
    for (let i = 0; i < n; i++) this.failQueue.push(status);
  }

  /**
   * Destroy the socket of the next `n` requests before answering (nothing is handled): the server
   * closing as the request arrives. With `method`, only requests of that method count.
   */
  dropNext(n: number, method?: string): void {
    this.drops += n;
    this.dropsMethod = method;
  }

  /**
   * Handle the next `n` requests fully (writes happen), then destroy the socket instead of answering.
   * With `method`, only requests of that method count ("the POST's answer was lost").
   */
  dropAfterHandlingNext(n: number, method?: string): void {
    this.dropsAfter += n;
    this.dropsAfterMethod = method;
  }

  /** Decides the fate of one arriving request. */
  take(
    method = "",
  ): { kind: "drop" } | { kind: "fail"; status: FailStatus } | { kind: "dropAfter" } | { kind: "normal" } {
    if (this.drops > 0 && (!this.dropsMethod || this.dropsMethod === method)) {
      this.drops--;
      return { kind: "drop" };
    }
    const status = this.failQueue.shift();
    if (status !== undefined) return { kind: "fail", status };
    if (this.dropsAfter > 0 && (!this.dropsAfterMethod || this.dropsAfterMethod === method)) {
      this.dropsAfter--;
      return { kind: "dropAfter" };
    }
    return { kind: "normal" };
  }

  clear(): void {
    this.latencyMs = 0;
    this.failQueue = [];
    this.drops = 0;
    this.dropsMethod = undefined;
    this.dropsAfter = 0;
    this.dropsAfterMethod = undefined;
  }

  get pending(): { fail: number; drop: number; dropAfterHandling: number } {
    return { fail: this.failQueue.length, drop: this.drops, dropAfterHandling: this.dropsAfter };
  }
}
