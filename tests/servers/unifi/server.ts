// A stand-in for a UniFi OS console's Network application, for tests, following
// /work/shared/reference/unifi/README.md: both DNS surfaces over one store (v2.ts, integration.ts),
// API-key and session auth with login throttling (auth.ts), self-signed TLS (tls.ts).
//
//   const unifi = await startUnifiServer({ version: "10.1.78" });   // "9.4.19": no dns/policies
//   // unifi.url = "https://127.0.0.1:<port>", unifi.apiKey (X-API-Key), unifi.fingerprint to pin
//   unifi.store.addByHand({ key: "pmg.lab.local", type: "A", value: "192.0.2.10" });
//   unifi.faults.failNext(1, 503, "POST"); unifi.faults.throttleNext(2, 1); unifi.expireCredentials();
//   await unifi.close();
//
// Version gates: v2 static-dns from 8.2, API keys and the integration API from 9.0, its DNS policies
// from 10.1. Not established, chosen here: the bodies of 401s in front of the Network application
// (UniFi OS's `{"error":{"code":401,"message":"Unauthorized"}}`) and the v2 error codes.
import { randomBytes } from "node:crypto";
import * as https from "node:https";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Auth } from "./auth";
import { bump, Faults, newCounters, type Counters } from "./faults";
import { atLeast, readBody, routeOf, send } from "./http";
import { handleIntegration, integrationError } from "./integration";
import { Store } from "./store";
import { selfSignedCertificate } from "../tls";
import { handleV2, v2Error, type Reply } from "./v2";

export interface UnifiServerOptions {
  port?: number;
  /** The Network application's version. Default "10.1.78". */
  version?: string;
  /** Whether the integration API has dns/policies; default from 10.1 (the first build is not established). */
  dnsPolicies?: boolean;
  /** Whether v2 PUT works (disputed, reference §1). Default true. */
  v2Put?: boolean;
  /** The v2 read quirk: numbers as strings, unset ones as "". Default true. */
  numbersAsStrings?: boolean;
  /** Login attempts per window before 429. Default 30. */
  loginLimit?: number;
  /** Default 45 000 ms. */
  loginWindowMs?: number;
  apiKey?: string;
  username?: string;
  password?: string;
}

export interface UnifiTestServer {
  url: string;
  port: number;
  version: string;
  apiKey: string;
  username: string;
  password: string;
  fingerprint: string;
  certPem: string;
  store: Store;
  counters: Counters;
  faults: Faults;
  /** Revokes the API key and ends every session (401 from then on, until reset). */
  expireCredentials(): void;
  /** The key works again and logins are possible (an admin re-enabled it); records and counters stay. */
  restoreCredentials(): void;
  resetCounters(): void;
  /** Counters, faults, records (not the version or the PUT switch), credentials restored. */
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const UNAUTHORIZED: Reply = { status: 401, body: { error: { code: 401, message: "Unauthorized" } } };

export async function startUnifiServer(opts: UnifiServerOptions = {}): Promise<UnifiTestServer> {
  const version = opts.version ?? "10.1.78";
  const cert = selfSignedCertificate("unifi.local");
  const counters = newCounters();
  const faults = new Faults();
  const store = new Store();
  const apiKey = opts.apiKey ?? randomBytes(24).toString("base64url");
  const username = opts.username ?? "admin";
  const password = opts.password ?? randomBytes(12).toString("base64url");
  const auth = new Auth(
    {
      apiKey,
      username,
      password,
      keysSupported: atLeast(version, 9, 0),
      loginLimit: opts.loginLimit ?? 30,
      loginWindowMs: opts.loginWindowMs ?? 45_000,
    },
    counters,
  );
  const v2Opts = { put: opts.v2Put ?? true, numbersAsStrings: opts.numbersAsStrings ?? true };

  async function handle(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<Reply> {
    const body = await readBody(req);
    const isIntegration = path.startsWith("/proxy/network/integration/");
    if (!body.ok)
      return isIntegration
        ? integrationError(400, "api.request.invalid-body", "Malformed JSON", path)
        : v2Error(400, "api.err.InvalidPayload", "malformed JSON");
    if (path === "/" && method === "GET")
      return { status: 200, body: undefined, headers: { "content-type": "text/html" } };
    if (path === "/api/auth/login" && method === "POST") return auth.login(body.value);
    if (!path.startsWith("/proxy/network/")) return { status: 404 };
    const caller = auth.identify(req.headers);
    if (isIntegration) {
      if (caller.via !== "key") {
        counters.authFailures++;
        return integrationError(
          401,
          "api.authentication.missing-credentials",
          "Missing credentials",
          path.replace("/proxy/network", ""),
        );
      }
      if (!atLeast(version, 9, 0)) return { status: 404 };
      return handleIntegration(
        store,
        version,
        opts.dnsPolicies ?? atLeast(version, 10, 1),
        method,
        path.slice("/proxy/network/integration/v1".length),
        query,
        body.value,
      );
    }
    if (caller.via === "none" || (caller.via === "session" && method !== "GET" && !caller.csrfOk)) {
      counters.authFailures++;
      return UNAUTHORIZED;
    }
    const v2 = /^\/proxy\/network\/v2\/api\/site\/([^/]+)\/static-dns(?:\/([^/]+))?$/.exec(path);
    if (!v2 || !atLeast(version, 8, 2)) return { status: 404 };
    return handleV2(
      store,
      v2Opts,
      method,
      decodeURIComponent(v2[1]),
      v2[2] && decodeURIComponent(v2[2]),
      body.value,
    );
  }

  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    void (async () => {
      counters.requests++;
      const url = new URL(req.url ?? "/", "https://console");
      const method = req.method ?? "GET";
      const route = routeOf(method, url.pathname);
      bump(counters.requestsByRoute, route);
      const fate = faults.take(route);
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (fate.kind === "drop") return void req.socket.destroy();
      const integration = url.pathname.startsWith("/proxy/network/integration/");
      if (fate.kind === "fail" || fate.kind === "throttle") {
        const status = fate.kind === "fail" ? fate.status : 429;
        if (status === 429) counters.throttled++;
        const reply = integration
          ? integrationError(
              status,
              status === 429 ? "api.rate-limit.exceeded" : "api.server.error",
              status === 429 ? "Rate limit exceeded" : "Server error",
              url.pathname,
            )
          : v2Error(
              status,
              status === 429 ? "api.err.RateLimited" : "api.err.ServerError",
              "fault injected by the test",
            );
        if (fate.kind === "throttle" && fate.retryAfterSec !== undefined)
          reply.headers = { "retry-after": String(fate.retryAfterSec) };
        return send(res, reply);
      }
      const reply = await handle(req, method, url.pathname, url.searchParams);
      if (
        reply.status >= 200 &&
        reply.status < 300 &&
        method !== "GET" &&
        /static-dns|dns\/policies/.test(url.pathname)
      )
        counters.dnsmasqReloads++;
      if (fate.kind === "dropAfter") return void req.socket.destroy();
      send(res, reply);
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, v2Error(500, "api.err.ServerError", String(e)));
    });
  });
  server.on("connection", () => counters.tcpConnections++);
  server.on("secureConnection", () => counters.tlsConnections++);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    version,
    apiKey,
    username,
    password,
    fingerprint: cert.fingerprint,
    certPem: cert.certPem,
    store,
    counters,
    faults,
    expireCredentials: () => auth.expire(),
    restoreCredentials: () => auth.reset(),
    resetCounters: () => Object.assign(counters, newCounters()),
    reset: () => {
      Object.assign(counters, newCounters());
      faults.clear();
      store.clear();
      auth.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
