/**
 * A small client for Cloudflare's v4 API: `Authorization: Bearer <token>` on every call, the
 * `{success, errors, result, result_info}` envelope unwrapped, and list calls paged to the end.
 * Errors carry Cloudflare's own numbered codes (2054, 100640, ...) and never the token.
 */
import { fetch, type Agent } from "undici";
import { ApiError } from "../../lib/errors";
import { createDispatcher } from "../http";

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

export interface CloudflareClientOptions {
  /** The API base; default https://api.cloudflare.com/client/v4 (provider config `cloudflare:baseUrl`). */
  readonly baseUrl?: string;
  readonly apiToken: string;
  /** Only for a stand-in with a self-signed certificate; the real API is verified against the system CAs. */
  readonly tlsFingerprint?: string;
}

export class CloudflareApiError extends ApiError {
  constructor(
    method: string,
    path: string,
    status: number,
    /** Cloudflare's error codes, first one first. */
    readonly codes: number[],
    message: string,
  ) {
    const hint =
      status === 403 || codes.includes(10000) || codes.includes(6003)
        ? "check the secret cloudflare:apiToken and its permissions (README, Setting up a stack)"
        : undefined;
    super({ system: "cloudflare", method, path, status, serverMessage: message }, "E_CLOUDFLARE_API", hint);
  }
}

interface Envelope<T> {
  success?: boolean;
  errors?: { code: number; message: string }[];
  result: T;
  result_info?: { page: number; total_pages: number };
}

export class CloudflareClient {
  readonly baseUrl: string;
  private readonly dispatcher: Agent;

  constructor(private readonly opts: CloudflareClientOptions) {
    this.baseUrl = (opts.baseUrl ?? CLOUDFLARE_API).replace(/\/+$/, "");
    this.dispatcher = createDispatcher({ tlsFingerprint: opts.tlsFingerprint });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<Envelope<T>> {
    let res;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Bearer ${this.opts.apiToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new CloudflareApiError(method, path, 0, [], (e as Error).message);
    }
    const text = await res.text();
    let env: Envelope<T> | undefined;
    try {
      env = JSON.parse(text) as Envelope<T>;
    } catch {
      env = undefined;
    }
    if (!res.ok || !env || env.success === false) {
      const errors = env?.errors ?? [];
      const message = errors.length
        ? errors.map((e) => `${e.code} ${e.message}`).join("; ")
        : `HTTP ${res.status} ${text.slice(0, 200)}`;
      throw new CloudflareApiError(
        method,
        path,
        res.status,
        errors.map((e) => e.code),
        message,
      );
    }
    return env;
  }

  async get<T>(path: string): Promise<T> {
    return (await this.call<T>("GET", path)).result;
  }
  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return (await this.call<T>("POST", path, body)).result;
  }
  async put<T>(path: string, body: unknown): Promise<T> {
    return (await this.call<T>("PUT", path, body)).result;
  }
  async patch<T>(path: string, body: unknown = {}): Promise<T> {
    return (await this.call<T>("PATCH", path, body)).result;
  }
  async delete<T>(path: string): Promise<T> {
    return (await this.call<T>("DELETE", path)).result;
  }

  /** Every page of a list call (`page`/`per_page`, `result_info.total_pages`). */
  async list<T>(path: string, perPage = 50): Promise<T[]> {
    const all: T[] = [];
    const sep = path.includes("?") ? "&" : "?";
    for (let page = 1; ; page++) {
      const env = await this.call<T[]>("GET", `${path}${sep}page=${page}&per_page=${perPage}`);
      all.push(...env.result);
      if (!env.result_info || page >= env.result_info.total_pages) return all;
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
