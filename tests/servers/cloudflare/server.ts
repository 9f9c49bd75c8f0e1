// A stand-in for Cloudflare's v4 API (https://api.cloudflare.com/client/v4), for tests: the calls the
// chain makes (model.ts holds the behaviour), Bearer-token auth, Cloudflare's envelope and pagination,
// self-signed TLS (tls.ts).
//
//   const cf = await startCloudflareServer({ spfOnEnable: "replace", apexName: "refuse" });
//   // cf.url = "https://127.0.0.1:<port>/client/v4", cf.apiToken, cf.fingerprint, cf.accountId, cf.zoneIds
//   cf.model.markVerified("lab-service-box@example.com");   // the owner clicked the link
//   await cf.close();
import { randomBytes } from "node:crypto";
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { selfSignedCertificate } from "../tls";
import { CfError, refusals } from "./errors";
import { CloudflareModel, type ModelOptions } from "./model";

export interface CloudflareServerOptions extends ModelOptions {
  port?: number;
  apiToken?: string;
}

export interface CloudflareTestServer {
  url: string;
  apiToken: string;
  fingerprint: string;
  accountId: string;
  zoneIds: string[];
  model: CloudflareModel;
  /** Every request as `METHOD path` (query dropped), in order. */
  calls: string[];
  /**
   * What it saw: every request, the requests whose API token was accepted (there is no login
   * exchange: the token rides on every request, so as the Stalwart stand-in counts accepted
   * credentials), and TCP connections.
   */
  readonly counters: { requests: number; logins: number; tcpConnections: number };
  /** Added before every answer (the benchmark's RTT). Default 0. */
  latencyMs: number;
  close(): Promise<void>;
}

type Handler = (p: string[], body: Record<string, unknown>, q: URLSearchParams) => unknown;

/** Page sizes: rules and addresses default 20, max 50; DNS records default 100 (api-schemas list operations). */
function page<T>(items: T[], q: URLSearchParams, def: number, max: number) {
  const perPage = Math.min(Number(q.get("per_page") ?? def) || def, max);
  const pageNo = Math.max(Number(q.get("page") ?? 1) || 1, 1);
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  return {
    result: slice,
    result_info: {
      page: pageNo,
      per_page: perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.max(Math.ceil(items.length / perPage), 1),
    },
  };
}

function routes(m: CloudflareModel): [string, RegExp, Handler][] {
  const Z = "/zones/([0-9a-f]{32})";
  const A = "/accounts/([0-9a-f]{32})";
  return [
    ["GET", /^\/user\/tokens\/verify$/, () => ({ id: "stand-in", status: "active" })],
    [
      "GET",
      /^\/zones$/,
      (_p, _b, q) =>
        page(
          m.zones.map((z) => ({ id: z.id, name: z.name, status: "active" })),
          q,
          20,
          50,
        ),
    ],
    [
      "GET",
      new RegExp(`^${Z}/dns_records$`),
      ([z], _b, q) => {
        const list = m
          .zone(z)
          .records.filter(
            (r) =>
              (!q.get("type") || r.type === q.get("type")) &&
              (!q.get("name") || r.name === q.get("name")?.toLowerCase()),
          );
        return page(list, q, 100, 5000);
      },
    ],
    ["POST", new RegExp(`^${Z}/dns_records$`), ([z], b) => m.createRecord(z, b)],
    ["GET", new RegExp(`^${Z}/dns_records/(\\w+)$`), ([z, id]) => m.record(z, id)],
    ["PATCH", new RegExp(`^${Z}/dns_records/(\\w+)$`), ([z, id], b) => m.editRecord(z, id, b, false)],
    ["PUT", new RegExp(`^${Z}/dns_records/(\\w+)$`), ([z, id], b) => m.editRecord(z, id, b, true)],
    ["DELETE", new RegExp(`^${Z}/dns_records/(\\w+)$`), ([z, id]) => m.deleteRecord(z, id)],
    ["GET", new RegExp(`^${Z}/email/routing$`), ([z]) => m.settings(z)],
    ["POST", new RegExp(`^${Z}/email/routing/enable$`), ([z]) => m.enable(z, {})],
    ["POST", new RegExp(`^${Z}/email/routing/disable$`), ([z]) => m.disable(z)],
    ["GET", new RegExp(`^${Z}/email/routing/dns$`), ([z]) => m.neededRecords(z)],
    ["POST", new RegExp(`^${Z}/email/routing/dns$`), ([z], b) => m.enable(z, b)],
    ["PATCH", new RegExp(`^${Z}/email/routing/dns$`), ([z]) => m.unlock(z)],
    ["DELETE", new RegExp(`^${Z}/email/routing/dns$`), ([z]) => m.disable(z)],
    ["GET", new RegExp(`^${Z}/email/routing/rules$`), ([z], _b, q) => page(m.zone(z).rules, q, 20, 50)],
    ["POST", new RegExp(`^${Z}/email/routing/rules$`), ([z], b) => m.createRule(z, b)],
    ["GET", new RegExp(`^${Z}/email/routing/rules/(\\w+)$`), ([z, id]) => m.rule(z, id)],
    ["PUT", new RegExp(`^${Z}/email/routing/rules/(\\w+)$`), ([z, id], b) => m.updateRule(z, id, b)],
    ["DELETE", new RegExp(`^${Z}/email/routing/rules/(\\w+)$`), ([z, id]) => m.deleteRule(z, id)],
    [
      "GET",
      new RegExp(`^${A}/email/routing/addresses$`),
      ([a], _b, q) => {
        if (a !== m.accountId) throw refusals.notFound("account");
        const verified = q.get("verified");
        const list = m.addresses.filter(
          (x) => verified === null || (verified === "true") === (x.verified !== null),
        );
        return page(list, q, 20, 50);
      },
    ],
    ["POST", new RegExp(`^${A}/email/routing/addresses$`), ([a], b) => m.createAddress(a, b)],
    ["GET", new RegExp(`^${A}/email/routing/addresses/(\\w+)$`), ([a, id]) => m.address(a, id)],
    ["DELETE", new RegExp(`^${A}/email/routing/addresses/(\\w+)$`), ([a, id]) => m.deleteAddress(a, id)],
    // Not Cloudflare's: the stand-in's stand-in for the owner clicking the verification link.
    ["POST", /^\/__stand-in\/verify$/, (_p, b) => (m.markVerified(String(b.email)), { email: b.email })],
  ];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  throw refusals.invalid("Malformed JSON in request body");
}

export async function startCloudflareServer(
  opts: CloudflareServerOptions = {},
): Promise<CloudflareTestServer> {
  const model = new CloudflareModel(opts);
  const apiToken = opts.apiToken ?? randomBytes(30).toString("base64url");
  const table = routes(model);
  const calls: string[] = [];
  const counters = { requests: 0, logins: 0, tcpConnections: 0 };
  const faults = { latencyMs: 0 };
  const cert = selfSignedCertificate("cloudflare-stand-in");
  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "https://stand-in");
      const path = url.pathname.replace(/^\/client\/v4/, "").replace(/\/+$/, "");
      calls.push(`${req.method} ${path}`);
      counters.requests++;
      if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
      try {
        if (!url.pathname.startsWith("/client/v4/")) throw refusals.notFound("route");
        const auth = req.headers.authorization;
        if (!auth || !/^Bearer [A-Za-z0-9_-]+$/.test(auth)) throw refusals.badHeaders();
        if (auth !== `Bearer ${apiToken}`) throw refusals.authentication();
        counters.logins++;
        const body = ["POST", "PUT", "PATCH"].includes(req.method ?? "") ? await readJson(req) : {};
        for (const [method, re, handler] of table) {
          const m = re.exec(path);
          if (!m || method !== req.method) continue;
          const out = handler(m.slice(1), body, url.searchParams);
          const paged = out && typeof out === "object" && "result_info" in out;
          return send(res, 200, {
            success: true,
            errors: [],
            messages: [],
            ...(paged ? (out as object) : { result: out }),
          });
        }
        throw refusals.notFound("route");
      } catch (e) {
        if (!(e instanceof CfError)) throw e;
        const error = { code: e.code, message: e.message, ...(e.chain ? { error_chain: e.chain } : {}) };
        send(res, e.status, { success: false, errors: [error], messages: [], result: null });
      }
    })().catch((e: unknown) =>
      send(res, 500, { success: false, errors: [{ code: 10001, message: String(e) }] }),
    );
  });
  server.on("connection", () => counters.tcpConnections++);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/client/v4`,
    apiToken,
    fingerprint: cert.fingerprint,
    accountId: model.accountId,
    zoneIds: model.zones.map((z) => z.id),
    model,
    calls,
    counters,
    get latencyMs() {
      return faults.latencyMs;
    },
    set latencyMs(ms: number) {
      faults.latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
