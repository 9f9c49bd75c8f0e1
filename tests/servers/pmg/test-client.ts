// A minimal HTTPS client for the stand-in's tests (undici with the server certificate pinned as CA).
import { Agent, fetch } from "undici";
import type { PmgTestServer } from "./server";

export interface CallResult {
  status: number;
  reason: string;
  headers: Headers;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  json: { data?: unknown; errors?: Record<string, string>; message?: string } | undefined;
}

export interface CallOptions {
  /** Form parameters (sent as application/x-www-form-urlencoded for POST/PUT, else as query). */
  form?: Record<string, string | string[]>;
  /** JSON body. */
  json?: unknown;
  /** Raw query string (without "?"). */
  query?: string;
  headers?: Record<string, string>;
  /** Send no ticket / CSRF token. */
  anonymous?: boolean;
}

export interface Session {
  ticket: string;
  csrf: string;
  username: string;
}

export class TestClient {
  readonly agent: Agent;
  session?: Session;

  constructor(readonly server: PmgTestServer) {
    this.agent = new Agent({ connect: { ca: server.certPem } });
  }

  async login(username = this.server.username, password = this.server.password): Promise<Session> {
    const r = await this.call("POST", "/access/ticket", { form: { username, password }, anonymous: true });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.reason}`);
    const d = r.json?.data as { ticket: string; CSRFPreventionToken: string; username: string };
    this.session = { ticket: d.ticket, csrf: d.CSRFPreventionToken, username: d.username };
    return this.session;
  }

  async call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.session && !opts.anonymous) {
      headers.Cookie ??= `PMGAuthCookie=${encodeURIComponent(this.session.ticket)}`;
      if (method !== "GET") headers.CSRFPreventionToken ??= this.session.csrf;
    }
    let url = `${this.server.url}${path}`;
    let body: string | undefined;
    const form = opts.form ? encodeForm(opts.form) : undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["Content-Type"] = "application/json";
    } else if (form !== undefined && (method === "POST" || method === "PUT")) {
      body = form;
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    } else if (form) {
      url += `?${form}`;
    }
    if (opts.query) url += `${url.includes("?") ? "&" : "?"}${opts.query}`;
    const res = await fetch(url, { method, headers, body, dispatcher: this.agent });
    const text = await res.text();
    let json: CallResult["json"];
    try {
      json = JSON.parse(text) as CallResult["json"];
    } catch {
      json = undefined;
    }
    return { status: res.status, reason: res.statusText, headers: res.headers, text, json };
  }

  /** GET/PUT/... that must succeed; returns `data`. */
  async ok(method: string, path: string, opts: CallOptions = {}): Promise<unknown> {
    const r = await this.call(method, path, opts);
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.reason} ${r.text}`);
    return r.json?.data;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export function encodeForm(form: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(form)) {
    for (const one of Array.isArray(v) ? v : [v])
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
  }
  return parts.join("&");
}

/** Starts a client logged in as root@pam. */
export async function rootClient(server: PmgTestServer): Promise<TestClient> {
  const c = new TestClient(server);
  await c.login();
  return c;
}
