// Who may call the console (reference §3, §5): an API key in X-API-Key (Network 9.0 and later, no
// session, no CSRF), or the session login `POST /api/auth/login` that sets a TOKEN cookie (a JWT whose
// payload carries `csrfToken`) and wants X-CSRF-Token on writes. Logins are throttled: every attempt,
// successful ones included, counts in a sliding window, and past the limit the console answers 429
// AUTHENTICATION_FAILED_LIMIT_REACHED without Retry-After. Attempts made while locked out count too,
// so a client that retries harder stays locked out longer.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Counters } from "./faults";

export interface AuthOptions {
  apiKey: string;
  username: string;
  password: string;
  /** Whether this Network version issues API keys at all (9.0 and later). */
  keysSupported: boolean;
  /** Logins per window before 429; one console reportedly allows 30 (`success.login.limit.count`). */
  loginLimit: number;
  /** About 45 s were observed on a UDM-Pro. */
  loginWindowMs: number;
}

export interface AuthReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Caller = { via: "key" } | { via: "session"; csrfOk: boolean } | { via: "none" };

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

export class Auth {
  private readonly secret = randomBytes(32);
  private attempts: number[] = [];
  private sessions = new Set<string>();
  revoked = false;

  constructor(
    private readonly opts: AuthOptions,
    private readonly counters: Counters,
  ) {}

  get apiKey(): string {
    return this.opts.apiKey;
  }

  login(body: unknown): AuthReply {
    this.counters.loginAttempts++;
    const now = Date.now();
    this.attempts = this.attempts.filter((t) => now - t < this.opts.loginWindowMs);
    this.attempts.push(now);
    if (this.attempts.length > this.opts.loginLimit) {
      this.counters.loginsThrottled++;
      return {
        status: 429,
        body: {
          code: "AUTHENTICATION_FAILED_LIMIT_REACHED",
          message: "You've reached the login attempt limit",
          level: "debug",
        },
      };
    }
    const b = (body ?? {}) as { username?: unknown; password?: unknown };
    if (b.username !== this.opts.username || b.password !== this.opts.password || this.revoked) {
      this.counters.authFailures++;
      return {
        status: 401,
        body: {
          code: "AUTHENTICATION_FAILED_INVALID_CREDENTIALS",
          message: "Invalid username or password",
          level: "debug",
        },
      };
    }
    this.counters.logins++;
    const csrfToken = randomUUID();
    const iat = Math.floor(now / 1000);
    const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ userId: "admin", csrfToken, iat, exp: iat + 7200 })}`;
    const token = `${unsigned}.${createHmac("sha256", this.secret).update(unsigned).digest("base64url")}`;
    this.sessions.add(token);
    return {
      status: 200,
      body: { unique_id: "admin", username: this.opts.username, isSuperAdmin: true },
      headers: {
        "set-cookie": `TOKEN=${token}; path=/; samesite=strict; secure; httponly`,
        "x-csrf-token": csrfToken,
      },
    };
  }

  /** Who is calling, from the request's headers. */
  identify(headers: Record<string, string | string[] | undefined>): Caller {
    const key = headers["x-api-key"];
    if (typeof key === "string") {
      const given = Buffer.from(key);
      const expected = Buffer.from(this.opts.apiKey);
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      return ok && this.opts.keysSupported && !this.revoked ? { via: "key" } : { via: "none" };
    }
    const token = /(?:^|;\s*)TOKEN=([^;]+)/.exec(String(headers.cookie ?? ""))?.[1];
    if (!token || !this.sessions.has(token)) return { via: "none" };
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as {
      csrfToken: string;
    };
    return { via: "session", csrfOk: headers["x-csrf-token"] === payload.csrfToken };
  }

  /** The expired-credentials fault: the key is revoked and every session ends. */
  expire(): void {
    this.revoked = true;
    this.sessions.clear();
  }

  reset(): void {
    this.revoked = false;
    this.sessions.clear();
    this.attempts = [];
  }
}
