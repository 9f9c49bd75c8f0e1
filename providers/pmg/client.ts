/**
 * Proxmox Mail Gateway API client. Ticket login (PMGAuthCookie + CSRFPreventionToken on writes),
 * renewed before its 2-hour lifetime ends and once more on a 401; one keep-alive connection pool;
 * bounded retries for idempotent calls. PMG answers 500 for "missing" and "duplicate": those are
 * recognised by message and never retried. Nothing here ever puts the password or ticket in an error.
 */
import { fetch, type Agent } from "undici";
import { ApiError, type ApiErrorDetails } from "../../lib/errors";
import {
  RedirectError,
  refuseRedirect,
  backoffMs,
  createDispatcher,
  TlsPinError,
  DEFAULT_RETRY,
  retryable,
  sleep,
  transportErrorCode,
  type RetryPolicy,
} from "../http";

export interface PmgClientOptions {
  /** `https://host:8006`; `/api2/json` is added. */
  readonly endpoint: string;
  /** With realm: `root@pam` or `name@pmg`. */
  readonly username: string;
  readonly password: string;
  readonly tlsFingerprint?: string;
  readonly retry?: RetryPolicy;
  /** Renew a ticket this long before its 7200 s lifetime ends. */
  readonly renewMarginSec?: number;
}

export type PmgErrorKind = "missing" | "duplicate" | "other";

export class PmgApiError extends ApiError {
  readonly kind: PmgErrorKind;
  constructor(d: Omit<ApiErrorDetails, "system">) {
    super({ ...d, system: "pmg" }, "E_PMG_API");
    this.kind =
      d.status === 500 && /does not exist/.test(d.serverMessage)
        ? "missing"
        : d.status === 500 && /already exists/.test(d.serverMessage)
          ? "duplicate"
          : "other";
  }
}

/** Handler errors (a `die` in PMG's Perl code) are answers, not outages: retrying cannot help. */
const HANDLER_ERROR =
  /does not exist|already exists|failed: |no options specified|different size|not implemented/;

type Params = Record<string, string | number | boolean | undefined>;

const TICKET_LIFETIME_SEC = 7200;

export class PmgClient {
  readonly counters = { logins: 0, renewals: 0, requests: 0, retries: 0 };
  private readonly base: string;
  private readonly dispatcher: Agent;
  private session?: { ticket: string; csrf: string; issuedAt: number };
  private pendingLogin?: Promise<void>;

  constructor(private readonly opts: PmgClientOptions) {
    this.base = opts.endpoint.replace(/\/+$/, "") + "/api2/json";
    this.dispatcher = createDispatcher({ tlsFingerprint: opts.tlsFingerprint });
  }

  get<T = unknown>(path: string, params?: Params): Promise<T> {
    return this.call<T>("GET", path, params);
  }
  create<T = unknown>(path: string, params: Params): Promise<T> {
    return this.call<T>("POST", path, params);
  }
  update(path: string, params: Params): Promise<unknown> {
    return this.call("PUT", path, params);
  }
  remove(path: string): Promise<unknown> {
    return this.call("DELETE", path);
  }

  /** Major and minor version, from GET /version (`9.1.0` and `7.3-4` alike). */
  async version(): Promise<{ major: number; minor: number; version: string }> {
    const v = await this.get<{ version?: string; release?: string }>("/version");
    const m = /^(\d+)\.(\d+)/.exec(v.release ?? v.version ?? "");
    if (!m)
      throw new PmgApiError({
        method: "GET",
        path: "/version",
        status: 200,
        serverMessage: `unrecognised version ${JSON.stringify(v)}`,
      });
    return { major: Number(m[1]), minor: Number(m[2]), version: String(v.version) };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async call<T>(method: string, path: string, params?: Params): Promise<T> {
    const policy = this.opts.retry ?? DEFAULT_RETRY;
    // Everything PMG does with a PUT or DELETE can be repeated with the same end state; a POST cannot.
    const idempotent = method !== "POST";
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      await this.ensureSession();
      const r = await this.send(method, path, params, this.session);
      if (r.status === 401 && !reauthenticated) {
        // Expired or revoked ticket: PMG rejected the request before running it, so any method may repeat.
        reauthenticated = true;
        this.session = undefined;
        attempt--;
        continue;
      }
      if (r.ok) return r.data as T;
      const transient = r.status !== 500 || !HANDLER_ERROR.test(r.message);
      if (
        attempt < policy.retries &&
        transient &&
        retryable(r.transport, r.status === 500 ? 503 : r.status, idempotent)
      ) {
        this.counters.retries++;
        await sleep(backoffMs(attempt, policy, r.retryAfter));
        continue;
      }
      throw new PmgApiError({
        method,
        path,
        status: r.status,
        serverMessage: r.message,
        fieldErrors: r.errors,
      });
    }
  }

  private async ensureSession(): Promise<void> {
    const margin = this.opts.renewMarginSec ?? 900;
    const age = this.session ? Date.now() / 1000 - this.session.issuedAt : Infinity;
    if (age < TICKET_LIFETIME_SEC - margin) return;
    // One login at a time: concurrent calls share it (one login per API host per process).
    this.pendingLogin ??= this.login(age < TICKET_LIFETIME_SEC ? this.session?.ticket : undefined).finally(
      () => {
        this.pendingLogin = undefined;
      },
    );
    await this.pendingLogin;
  }

  private async login(renewTicket?: string): Promise<void> {
    const started = Date.now() / 1000;
    const params = { username: this.opts.username, password: renewTicket ?? this.opts.password };
    let r = await this.send("POST", "/access/ticket", params);
    if (renewTicket && !r.ok)
      r = await this.send("POST", "/access/ticket", { ...params, password: this.opts.password });
    if (!r.ok) {
      const hint =
        r.status === 401
          ? `check homelab-mail:pmg.username (${this.opts.username}, with its realm) and the secret homelab-mail:pmgPassword`
          : undefined;
      throw new ApiError(
        { system: "pmg", method: "POST", path: "/access/ticket", status: r.status, serverMessage: r.message },
        "E_PMG_LOGIN",
        hint,
      );
    }
    const d = r.data as { ticket: string; CSRFPreventionToken: string };
    renewTicket ? this.counters.renewals++ : this.counters.logins++;
    this.session = { ticket: d.ticket, csrf: d.CSRFPreventionToken, issuedAt: started };
  }

  private async send(
    method: string,
    path: string,
    params: Params | undefined,
    session?: PmgClient["session"],
  ) {
    const values: Record<string, string | number> = {};
    for (const [k, val] of Object.entries(params ?? {})) {
      // PMG's booleans are 0/1 on every version (JSON true/false only since pve-common 8.0.4).
      if (val !== undefined) values[k] = typeof val === "boolean" ? (val ? 1 : 0) : val;
    }
    const query =
      method === "GET" || method === "DELETE"
        ? new URLSearchParams(values as Record<string, string>).toString()
        : "";
    const url = this.base + encodePath(path) + (query ? `?${query}` : "");
    const headers: Record<string, string> = {};
    if (session) {
      headers.cookie = `PMGAuthCookie=${encodeURIComponent(session.ticket)}`;
      if (method !== "GET") headers.csrfpreventiontoken = session.csrf;
    }
    // JSON, not a form: pve-http-server drops an empty form value (`comment=`), so "" could not be sent.
    const body = method === "POST" || method === "PUT" ? JSON.stringify(values) : undefined;
    if (body !== undefined) headers["content-type"] = "application/json";
    this.counters.requests++;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body,
        dispatcher: this.dispatcher,
        redirect: "manual",
      });
      refuseRedirect(res, url, "pmg.endpoint");
      const text = await res.text();
      let json: { data?: unknown; message?: string; errors?: Record<string, string> } = {};
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        json = {};
      }
      // The body's `message` exists only since pve-http-server 5.2.0; older servers put it in the reason phrase.
      const message = (json.message ?? res.statusText ?? "").trim() || `HTTP ${res.status}`;
      return {
        ok: res.ok,
        status: res.status,
        data: json.data,
        message,
        errors: json.errors,
        retryAfter: res.headers.get("retry-after"),
        transport: undefined,
      };
    } catch (err) {
      if (err instanceof RedirectError) throw err;
      const pin = findPinError(err);
      if (pin) throw pin;
      const transport = transportErrorCode(err) ?? "UND_ERR_SOCKET";
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      return {
        ok: false,
        status: 0,
        data: undefined,
        message: cause,
        errors: undefined,
        retryAfter: null,
        transport,
      };
    }
  }
}

/** Path segments are encoded, `/` kept: PMG URL-decodes the whole path before routing. */
function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s).replace(/%3A/gi, ":"))
    .join("/");
}

function findPinError(err: unknown): TlsPinError | undefined {
  for (let e = err, depth = 0; e && depth < 4; depth++, e = (e as { cause?: unknown }).cause) {
    if (e instanceof TlsPinError) return e;
  }
  return undefined;
}
