// A faithful stand-in for Stalwart's management API, in either generation (for tests):
//   api "rest": 0.10-0.15, `/api/principal` (reference README.md, examples.md)
//   api "jmap": 0.16+, `POST /jmap` with x:Domain / x:Account (reference jmap-0.16.md)
//
//   const s = await startStalwartServer({ api: "jmap" });
//   // s.url = "http://127.0.0.1:<port>", s.username / s.password (the fallback or recovery admin),
//   // s.apiKey (a full `Authorization: Bearer` token with admin rights)
//   await s.close();
//
// State (simulating hand edits in the web UI): s.rest (RestDirectory: principals by id) or s.jmap
// (JmapStore: domains and accounts by id). s.deliver(nameOrAddress, bytes) puts mail in a mailbox.
// Instrumentation: s.counters (see faults.ts) and fault switches: s.latencyMs, s.failNext(n, status),
// s.dropNext(n), s.dropAfterHandlingNext(n, match?), s.expireCredentials() (the admin password changes, so
// every client still using the old one gets 401). s.reset() clears state, counters and faults;
// s.clearFaults() only the faults.
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { authenticate, type AuthConfig, type Caller, type Generation } from "./auth";
import { bump, Faults, newCounters, type Counters, type FailStatus } from "./faults";
import { failure, forbidden, invalidParameters, json, notFound, shuffled, type Reply } from "./http";
import { apiRemnant, handleJmap, session } from "./jmap/routes";
import { JmapStore } from "./jmap/store";
import { RestDirectory } from "./rest/directory";
import { handleRest, restRoute } from "./rest/routes";
import { selfSignedCertificate } from "../tls";

export interface StalwartServerOptions {
  api?: Generation;
  port?: number;
  /** Reported by POST /api/oauth on REST (since 0.11; omitted for 0.10.x). Default 0.15.5. */
  version?: string;
  username?: string;
  password?: string;
  /** Delay of every 401 (0.16 waits 50-500 ms at random). Default 0. */
  authFailureDelayMs?: number;
  /** Serve HTTPS with a self-signed certificate, as Stalwart's HTTPS listener does out of the box. */
  tls?: boolean;
}

export interface StalwartTestServer {
  readonly url: string;
  readonly api: Generation;
  readonly version: string;
  readonly username: string;
  password: string;
  readonly apiKey: string;
  /** SHA-256 fingerprint of the certificate (`tls: true`), else "". */
  readonly fingerprint: string;
  readonly counters: Counters;
  readonly rest: RestDirectory;
  readonly jmap: JmapStore;
  latencyMs: number;
  failNext(n: number, status?: FailStatus): void;
  dropNext(n: number): void;
  /** Lost answers: handle, then cut the connection; `match` picks requests by "METHOD /path body" substring. */
  dropAfterHandlingNext(n: number, match?: string): void;
  expireCredentials(): void;
  /** Ends every fault (latency included), keeping state and counters: "the network is fine again". */
  clearFaults(): void;
  /** Faults queued that no request has met yet. */
  readonly pendingFaults: number;
  deliver(nameOrAddress: string, bytes: number): void;
  resetCounters(): void;
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_REST_BODY = 1024 * 1024;

export async function startStalwartServer(opts: StalwartServerOptions = {}): Promise<StalwartTestServer> {
  const api: Generation = opts.api ?? "rest";
  const version = opts.version ?? (api === "rest" ? "0.15.5" : "0.16.18");
  const faults = new Faults();
  let counters = newCounters();
  const rest = new RestDirectory();
  const jmap = new JmapStore();
  const keySecret = randomBytes(18).toString("base64url");
  const apiKey =
    api === "rest"
      ? `api_${Buffer.from(`homelab-key:${keySecret}`).toString("base64")}`
      : `API_${randomBytes(28).toString("base64url")}`;
  const auth: AuthConfig = {
    admin: {
      username: opts.username ?? "admin",
      password: opts.password ?? randomBytes(18).toString("base64url"),
    },
    apiKeys: new Set([`Bearer ${apiKey}`]),
    apiKeyBasic: new Map(api === "rest" ? [["homelab-key", keySecret]] : []),
  };
  let publicUrl = "";

  const login = async (
    header: string | undefined,
    onApi = false,
  ): Promise<{ caller?: Caller; reply?: Reply }> => {
    const r = authenticate(api, header, auth, api === "rest" ? rest : jmap, onApi);
    if (r.ok) {
      counters.logins++;
      return { caller: r.caller };
    }
    counters.authFailures++;
    if (opts.authFailureDelayMs) await sleep(opts.authFailureDelayMs);
    return { reply: r.reply };
  };

  async function route(req: http.IncomingMessage, raw: string): Promise<Reply> {
    const url = new URL(req.url ?? "/", "http://stalwart");
    const method = req.method ?? "GET";
    const path = url.pathname;
    const onDestroy = () => counters.destroyed++;
    if (api === "rest" && path.startsWith("/api/")) {
      if (method === "OPTIONS") return { status: 204 };
      bump(counters.requestsByRoute, restRoute(method, path) ?? `${method} ${path}`);
      const { caller, reply } = await login(req.headers.authorization, true);
      if (!caller) return reply!;
      if (!caller.authenticate) return forbidden();
      let body: unknown;
      // Bodies over 1 MiB are read as empty, and then fail to parse (README §1).
      const text = Buffer.byteLength(raw) > MAX_REST_BODY ? "" : raw;
      if (["POST", "PATCH"].includes(method) || text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          if (restRoute(method, path)) return invalidParameters();
        }
      }
      return handleRest({ dir: rest, caller, version, onDestroy }, method, path, url.searchParams, body);
    }
    if (api === "jmap" && path.startsWith("/api/")) {
      bump(counters.requestsByRoute, `${method} ${path}`);
      return apiRemnant(method, path);
    }
    if (path === "/.well-known/jmap" && method === "GET")
      return { status: 307, headers: { location: "/jmap/session" } };
    if (path === "/jmap/session" && method === "GET") {
      if (!req.headers.authorization) return session(publicUrl);
      const { caller, reply } = await login(req.headers.authorization);
      if (!caller) return reply!;
      if (!caller.authenticate) return forbidden();
      const s = session(publicUrl, caller);
      // ≤0.15 serves JMAP for mail, but knows nothing of urn:stalwart:jmap.
      if (api === "rest")
        return json(JSON.parse(JSON.stringify(s.body).replace(/,?"urn:stalwart:jmap":("[^"]*"|\{\})/g, "")));
      return s;
    }
    if ((path === "/jmap" || path === "/jmap/") && method === "POST") {
      bump(counters.requestsByRoute, "POST /jmap");
      const { caller, reply } = await login(req.headers.authorization);
      if (!caller) return reply!;
      if (!caller.authenticate) return forbidden();
      const store = api === "jmap" ? jmap : new JmapStore();
      const count = (m: string) => bump(counters.methodCalls, m);
      const r = handleJmap({ store, caller, count, onDestroy }, req.headers["content-type"], raw);
      if (api === "rest" && r.status === 200) {
        // ≤0.15 has no x: methods at all.
        const b = r.body as { methodResponses: [string, unknown, string][] };
        b.methodResponses = b.methodResponses.map(([n, a, id]) =>
          n.startsWith("x:") ? ["error", { type: "unknownMethod", description: n }, id] : [n, a, id],
        );
      }
      return r;
    }
    return notFound();
  }

  const cert = opts.tls ? selfSignedCertificate("stalwart.lab.example.net") : undefined;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    counters.requests++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        if (faults.latencyMs > 0) await sleep(faults.latencyMs);
        const raw = Buffer.concat(chunks).toString("utf8");
        const fate = faults.take(`${req.method} ${req.url} ${raw}`);
        if (fate.kind === "drop") {
          req.socket.destroy();
          return;
        }
        const reply = fate.kind === "fail" ? failure(fate.status) : await route(req, raw);
        if (fate.kind === "dropAfter") {
          req.socket.destroy();
          return;
        }
        const headers: http.OutgoingHttpHeaders = { ...(reply.headers ?? {}) };
        let payload = "";
        if (reply.body !== undefined) {
          headers["content-type"] = reply.contentType ?? "application/json";
          payload = JSON.stringify(reply.shuffleKeys ? shuffled(reply.body) : reply.body);
        }
        res.writeHead(reply.status, headers).end(payload);
      })().catch((e: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(`stand-in bug: ${String(e)}`);
      });
    });
  };
  const server = cert
    ? https.createServer({ key: cert.keyPem, cert: cert.certPem }, handler)
    : http.createServer(handler);
  server.on("connection", () => counters.tcpConnections++);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  publicUrl = `${cert ? "https" : "http"}://127.0.0.1:${port}`;

  return {
    url: publicUrl,
    api,
    version,
    username: auth.admin.username,
    get password() {
      return auth.admin.password;
    },
    set password(p: string) {
      auth.admin.password = p;
    },
    apiKey,
    fingerprint: cert?.fingerprint ?? "",
    get counters() {
      return counters;
    },
    rest,
    jmap,
    get latencyMs() {
      return faults.latencyMs;
    },
    set latencyMs(ms: number) {
      faults.latencyMs = ms;
    },
    failNext: (n, status) => faults.failNext(n, status),
    dropNext: (n) => faults.dropNext(n),
    dropAfterHandlingNext: (n, match) => faults.dropAfterHandlingNext(n, match),
    expireCredentials() {
      auth.admin.password = randomBytes(18).toString("base64url");
      auth.apiKeys.clear();
      auth.apiKeyBasic.clear();
    },
    clearFaults: () => faults.clear(),
    get pendingFaults() {
      return faults.pending;
    },
    deliver: (who, bytes) => (api === "rest" ? rest.deliver(who, bytes) : jmap.deliver(who, bytes)),
    resetCounters() {
      counters = newCounters();
    },
    reset() {
      counters = newCounters();
      faults.clear();
      rest.clear();
      jmap.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as StalwartTestServer;
}
