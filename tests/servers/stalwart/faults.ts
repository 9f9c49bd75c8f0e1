// Instrumentation of the Stalwart stand-in: counters and fault switches (not part of the real API).

export interface Counters {
  /** All HTTP requests received, including faulted and unauthenticated ones. */
  requests: number;
  /** Handled requests (not faulted ones) per "METHOD /route/{template}" (REST) or "POST /jmap" (JMAP). */
  requestsByRoute: Record<string, number>;
  /** JMAP method calls by name ("x:Account/set"), errors included. */
  methodCalls: Record<string, number>;
  /** Requests whose credentials were accepted. */
  logins: number;
  /** 401 answers. */
  authFailures: number;
  /** TCP connections accepted (keep-alive reuses one for many requests). */
  tcpConnections: number;
  /** Principals (REST) or accounts and domains (JMAP) destroyed, with their mail. */
  destroyed: number;
}

export function newCounters(): Counters {
  return {
    requests: 0,
    requestsByRoute: {},
    methodCalls: {},
    logins: 0,
    authFailures: 0,
    tcpConnections: 0,
    destroyed: 0,
  };
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export type FailStatus = 500 | 502 | 503 | 429;

/** What to do with the next requests; consumed in arrival order. */
export class Faults {
  /** Added before every reply (also to faulted ones). */
  latencyMs = 0;
  private failQueue: FailStatus[] = [];
  private drops = 0;
  private dropsAfter: (string | undefined)[] = [];

  /** Answer the next `n` requests with `status` (problem+json) without handling them. */
  failNext(n: number, status: FailStatus = 503): void {
    for (let i = 0; i < n; i++) this.failQueue.push(status);
  }

  /** Destroy the socket of the next `n` requests before handling them. */
  dropNext(n: number): void {
    this.drops += n;
  }

  /**
   * Handle the next `n` requests fully (writes happen), then destroy the socket instead of answering:
   * a lost answer. With `match`, only requests whose "METHOD /path body" contains it count.
   */
  dropAfterHandlingNext(n: number, match?: string): void {
    for (let i = 0; i < n; i++) this.dropsAfter.push(match);
  }

  take(
    request = "",
  ): { kind: "drop" } | { kind: "fail"; status: FailStatus } | { kind: "dropAfter" } | { kind: "normal" } {
    if (this.drops > 0) {
      this.drops--;
      return { kind: "drop" };
    }
    const status = this.failQueue.shift();
    if (status !== undefined) return { kind: "fail", status };
    const i = this.dropsAfter.findIndex((m) => m === undefined || request.includes(m));
    if (i >= 0) {
      this.dropsAfter.splice(i, 1);
      return { kind: "dropAfter" };
    }
    return { kind: "normal" };
  }

  /** Faults queued and not yet met by a request (latency aside). */
  get pending(): number {
    return this.failQueue.length + this.drops + this.dropsAfter.length;
  }

  clear(): void {
    this.latencyMs = 0;
    this.failQueue = [];
    this.drops = 0;
    this.dropsAfter = [];
  }
}
