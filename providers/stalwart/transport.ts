/**
 * HTTP to one Stalwart server: one keep-alive undici Agent (TLS verified, or pinned by fingerprint),
 * Basic auth with the configured admin or a Bearer API key, bounded retries for idempotent requests
 * only, and problem+json answers turned into StalwartApiError. No credential ever reaches an error:
 * every server message passes through `redact` first.
 */
import { request, type Agent, type Dispatcher } from "undici";
import {
  backoffMs,
  createDispatcher,
  DEFAULT_RETRY,
  RedirectError,
  refuseRedirect,
  retryable,
  sleep,
  TlsPinError,
  transportErrorCode,
  type RetryPolicy,
} from "../http";
import { StalwartApiError } from "./errors";

export type StalwartAuth =
  { readonly username: string; readonly password: string } | { readonly apiKey: string };

export interface TransportOptions {
  /** `https://mail.example.net` or `http://192.0.2.20:8080`; the API paths are added. */
  readonly endpoint: string;
  readonly auth: StalwartAuth;
  readonly tlsFingerprint?: string;
  readonly retry?: RetryPolicy;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Send the credentials (default true); generation detection asks anonymously first. */
  readonly authenticate?: boolean;
  /** Whether repeating the request cannot change more than sending it once. */
  readonly idempotent: boolean;
  /** Strings that must never appear in an error (passwords, hashes sent in this request). */
  readonly secrets?: readonly string[];
}

export interface HttpAnswer {
  readonly status: number;
  /** The parsed JSON body, or undefined when it was empty or not JSON. */
  readonly json: unknown;
  readonly headers: AnswerHeaders;
}

/** Response headers by lowercase name (what the retry policy and the redirect check read). */
export interface AnswerHeaders {
  get(name: string): string | null;
}

function answerHeaders(raw: Record<string, string | string[] | undefined>): AnswerHeaders {
  return {
    get: (name) => {
      const v = raw[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
  };
}

/**
 * What a 403 asks for. 0.10-0.15 check a permission per principal type and operation
 * (crates/http/src/management/principal.rs:88-98 at v0.15.5: individual-create, domain-create, ...);
 * 0.16 has per-object permissions (crates/registry/src/schema/enums.rs: sysAccountGet ... sysDomainQuery).
 */
export function forbiddenHint(generation?: "rest" | "jmap"): string {
  const rest =
    "individual-list, individual-get, individual-create, individual-update, individual-delete and domain-list, domain-get, domain-create, domain-update, domain-delete (Stalwart 0.10-0.15)";
  const jmap =
    "sysAccountQuery, sysAccountGet, sysAccountCreate, sysAccountUpdate, sysAccountDestroy and sysDomainQuery, sysDomainGet, sysDomainCreate, sysDomainUpdate, sysDomainDestroy (Stalwart 0.16+)";
  const which = generation === "rest" ? rest : generation === "jmap" ? jmap : `${rest}; or ${jmap}`;
  return `the credentials lack a permission this needs: give the account Stalwart's admin role, or the permissions ${which}`;
}

export class StalwartTransport {
  readonly counters = { requests: 0, retries: 0 };
  readonly endpoint: string;
  /** Which management API the server speaks, once `connect` knows: the permission hints differ. */
  generation?: "rest" | "jmap";
  private readonly dispatcher: Agent;

  constructor(private readonly opts: TransportOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, "");
    this.dispatcher = createDispatcher({ tlsFingerprint: opts.tlsFingerprint });
  }

  /** Sends with retries; answers every status to the caller, throws only when no answer came. */
  async request(method: string, path: string, o: RequestOptions): Promise<HttpAnswer> {
    const policy = this.opts.retry ?? DEFAULT_RETRY;
    for (let attempt = 0; ; attempt++) {
      const r = await this.send(method, path, o);
      const answer = r.answer;
      if (attempt < policy.retries && retryable(r.transport, answer?.status ?? 0, o.idempotent)) {
        this.counters.retries++;
        await sleep(backoffMs(attempt, policy, answer?.headers.get("retry-after")));
        continue;
      }
      if (answer) return answer;
      throw new StalwartApiError({
        method,
        path,
        status: 0,
        kind: "transport",
        message: this.redact(r.message ?? "no answer", o.secrets),
      });
    }
  }

  /** The error for a problem+json (or otherwise unexpected) answer, with a hint for auth failures. */
  problem(method: string, path: string, a: HttpAnswer, secrets?: readonly string[]): StalwartApiError {
    const body = (a.json && typeof a.json === "object" ? a.json : {}) as Record<string, unknown>;
    const title = typeof body.title === "string" ? body.title : `HTTP ${a.status}`;
    const detail = typeof body.detail === "string" ? this.redact(body.detail, secrets) : "";
    const details: Record<string, unknown> = {};
    for (const k of ["type", "limit"])
      if (body[k] !== undefined && body[k] !== "about:blank") details[k] = body[k];
    const who =
      "apiKey" in this.opts.auth
        ? "the secret homelab-mail:stalwartApiKey"
        : `homelab-mail:stalwart.username (${this.opts.auth.username}) and the secret homelab-mail:stalwartPassword`;
    const hint =
      a.status === 401
        ? `Stalwart rejected the credentials: check ${who}`
        : a.status === 403
          ? forbiddenHint(this.generation)
          : undefined;
    return new StalwartApiError(
      {
        method,
        path,
        status: a.status,
        kind: title,
        details,
        message: detail ? `${title}: ${detail}` : title,
      },
      hint,
    );
  }

  /** Removes every credential and request secret from a text the server sent back. */
  redact(text: string, secrets: readonly string[] = []): string {
    const known = "apiKey" in this.opts.auth ? [this.opts.auth.apiKey] : [this.opts.auth.password];
    return [...known, ...secrets]
      .filter((s) => s.length >= 4)
      .reduce((t, s) => t.split(s).join("[redacted]"), text);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private authorization(): string {
    const a = this.opts.auth;
    if ("apiKey" in a) return `Bearer ${a.apiKey}`;
    return `Basic ${Buffer.from(`${a.username}:${a.password}`, "utf8").toString("base64")}`;
  }

  private async send(
    method: string,
    path: string,
    o: RequestOptions,
  ): Promise<{ answer?: HttpAnswer; transport?: string; message?: string }> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (o.authenticate !== false) headers.authorization = this.authorization();
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    if (body !== undefined) headers["content-type"] = "application/json";
    this.counters.requests++;
    try {
      // undici's request, not fetch: the same Agent without WHATWG streams, a third of the CPU per call
      // (issue 15). It never follows redirects; refuseRedirect refuses them.
      const res = await request(this.endpoint + path, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher: this.dispatcher,
      });
      const answer = answerHeaders(res.headers);
      const text = await res.body.text();
      refuseRedirect({ status: res.statusCode, headers: answer }, this.endpoint + path, "stalwart.endpoint");
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { answer: { status: res.statusCode, json, headers: answer } };
    } catch (err) {
      if (err instanceof RedirectError) throw err;
      for (let e: unknown = err, d = 0; e && d < 4; d++, e = (e as { cause?: unknown }).cause) {
        if (e instanceof TlsPinError) throw e;
      }
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      return { message: cause, transport: transportErrorCode(err) ?? "UND_ERR_SOCKET" };
    }
  }
}
