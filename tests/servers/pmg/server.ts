// A faithful stand-in for the Proxmox Mail Gateway REST API (pmgproxy on port 8006), for tests.
// Behaviour, status codes, reason phrases and error texts follow pmg-api / pve-common /
// pve-http-server as described in the PMG API reference (reference/pmg/README.md); parameters are validated
// from schema.json (copied next to this file).
//
//   const pmg = await startPmgServer({ version: 9, authFailureDelayMs: 20 });
//   // pmg.url = "https://127.0.0.1:<port>/api2/json", pmg.username = "root@pam", pmg.password
//   // trust pmg.certPem (or pin pmg.fingerprint); second user: pmg.audit (audit@pmg, role audit)
//   await pmg.close();
//
// State access (simulating hand edits on the gateway): `pmg.state` holds one Map per config file.
//   pmg.state.transport.set("example.com", { host: "10.0.0.1", protocol: "smtp", port: 25, use_mx: 1, comment: "" })
//   pmg.state.mynetworks / domains / dkimDomains: Map<key, { comment }>
//   pmg.state.mail / pmg.state.admin: Map<option, value> (pmg.conf sections; pmg.state.pmgConf = all)
//   pmg.state.dkimKeys: Map<selector, PEM private key>; pmg.state.fetchmail: Map<id, entry>
// Every API read and write passes these maps through the file writer and reader, so the API sees
// exactly what a gateway would read back from such files. Digests are sha1 of the rendered pmg.conf.
//
// Instrumentation: pmg.counters (see faults.ts), pmg.resetCounters(), pmg.reset() (counters, faults,
// state, clock), and fault switches: pmg.latencyMs, pmg.failNext(n, status), pmg.dropNext(n),
// pmg.dropAfterHandlingNext(n), pmg.expireTickets(), pmg.clockOffsetSec (seconds added to the
// server clock, e.g. 7200 makes every ticket expire); pmg.clearFaults() ends them, keeping state.
import { randomBytes } from "node:crypto";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Authority, unescapeBytes } from "./auth";
import { ConfigLock } from "./errors";
import { Faults, FAIL_REASONS, bump, newCounters, type Counters, type FailStatus } from "./faults";
import { ROUTES } from "./handlers";
import { handleRequest, splitAbsUri, type PipelineEnv } from "./pipeline";
import { jsonError, sendReply } from "./reply";
import type { PmgVersion } from "./api-schema";
import { PmgState, Store } from "./state";
import { DEFAULT_HTTP_SERVER, jsonErrorsHaveMessage } from "./proxy";
import { selfSignedCertificate } from "../tls";

export interface PmgServerOptions {
  port?: number;
  version?: PmgVersion;
  /** Delay of every 401 answer (the real server waits about 3 s). Default 3000. */
  authFailureDelayMs?: number;
  /** Password of root@pam; random if not given. */
  password?: string;
  /** Password of audit@pmg; random if not given. */
  auditPassword?: string;
  /**
   * libpve-http-server-perl's version (default per PMG major: proxy.ts DEFAULT_HTTP_SERVER). Before
   * 5.0.2 a protected call's JSON body reaches pmgdaemon re-encoded as a form; before 5.2.0 JSON
   * errors have no `message`.
   */
  httpServer?: string;
}

export interface PmgTestServer {
  url: string;
  host: string;
  port: number;
  version: PmgVersion;
  username: string;
  password: string;
  audit: { username: string; password: string };
  fingerprint: string;
  certPem: string;
  counters: Counters;
  state: PmgState;
  latencyMs: number;
  clockOffsetSec: number;
  failNext(n: number, status?: FailStatus): void;
  dropNext(n: number, method?: string): void;
  dropAfterHandlingNext(n: number, method?: string): void;
  expireTickets(): void;
  /** Ends every fault (latency included), keeping state and counters: "the network is fine again". */
  clearFaults(): void;
  /** Rendered /etc/pmg/pmg.conf and /etc/pmg/fetchmailrc, for assertions. */
  files(): { pmgConf: string; fetchmailrc: string };
  resetCounters(): void;
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPmgServer(opts: PmgServerOptions = {}): Promise<PmgTestServer> {
  const version: PmgVersion = opts.version ?? 9;
  const cert = selfSignedCertificate("pmg-test-server");
  const counters = newCounters();
  const faults = new Faults();
  const state = new PmgState();
  const store = new Store(state, version);
  let clockOffsetSec = 0;
  const authority = new Authority(() => Date.now() / 1000 + clockOffsetSec);
  const password = opts.password ?? randomBytes(12).toString("base64url");
  const auditPassword = opts.auditPassword ?? randomBytes(12).toString("base64url");
  authority.users.set("root@pam", { userid: "root@pam", password, role: "root" });
  authority.users.set("audit@pmg", { userid: "audit@pmg", password: auditPassword, role: "audit" });
  const env: PipelineEnv = {
    routes: ROUTES,
    store,
    lock: new ConfigLock(),
    authority,
    counters,
    authFailureDelayMs: opts.authFailureDelayMs ?? 3000,
    httpServer: opts.httpServer ?? DEFAULT_HTTP_SERVER[version],
  };
  const withMessage = jsonErrorsHaveMessage(env.httpServer);

  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    void (async () => {
      counters.requests++;
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const rawPath = q < 0 ? url : url.slice(0, q);
      const query = q < 0 ? "" : url.slice(q + 1);
      const path = unescapeBytes(rawPath);
      bump(
        counters.requestsByPath,
        `${req.method} ${path.startsWith("/api2") ? splitAbsUri(path).relUri : path}`,
      );
      const fate = faults.take(req.method);
      if (fate.kind === "drop") {
        req.socket.destroy();
        return;
      }
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      const keepAlive = !/close/i.test(req.headers.connection ?? "");
      if (fate.kind === "fail") {
        sendReply(res, jsonError(withMessage, fate.status, `${FAIL_REASONS[fate.status]}\n`), false);
        return;
      }
      const reply = await handleRequest(env, req, rawPath, query);
      if (fate.kind === "dropAfter") {
        req.socket.destroy();
        return;
      }
      sendReply(res, reply, keepAlive);
    })().catch((e: unknown) => {
      if (!res.headersSent) sendReply(res, jsonError(withMessage, 500, `${String(e)}\n`), false);
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
    url: `https://127.0.0.1:${port}/api2/json`,
    host: "127.0.0.1",
    port,
    version,
    username: "root@pam",
    password,
    audit: { username: "audit@pmg", password: auditPassword },
    fingerprint: cert.fingerprint,
    certPem: cert.certPem,
    counters,
    state,
    get latencyMs() {
      return faults.latencyMs;
    },
    set latencyMs(ms: number) {
      faults.latencyMs = ms;
    },
    get clockOffsetSec() {
      return clockOffsetSec;
    },
    set clockOffsetSec(s: number) {
      clockOffsetSec = s;
    },
    failNext: (n, status = 500) => faults.failNext(n, status),
    dropNext: (n, method) => faults.dropNext(n, method),
    dropAfterHandlingNext: (n, method) => faults.dropAfterHandlingNext(n, method),
    expireTickets: () => authority.rotateTicketKey(),
    clearFaults: () => faults.clear(),
    files: () => ({ pmgConf: store.pmgConfText(), fetchmailrc: store.fetchmailrcText() }),
    resetCounters: () => Object.assign(counters, newCounters()),
    reset: () => {
      Object.assign(counters, newCounters());
      faults.clear();
      state.clear();
      clockOffsetSec = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
