/**
 * Server behaviour: the configured endpoint answers 301/302/303/307/308 to another origin (plain
 * HTTP, as a hijacked or misconfigured reverse proxy would). Every client must stop there: the other
 * origin sees no request at all, so neither PMG's login body (password), nor UniFi's X-API-Key, nor
 * Stalwart's Basic credentials leave, and the error names the config key to fix. On undici's default
 * (`redirect: "follow"`) the 307/308 re-post PMG's login form and every hop keeps X-API-Key.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { RedirectError } from "../../providers/http";
import { PmgClient } from "../../providers/pmg/client";
import { StalwartTransport } from "../../providers/stalwart/transport";
import { UnifiClient } from "../../providers/unifi/client";
import { selfSignedCertificate } from "../servers/tls";

const PASSWORD = "test-only-redirect-password";
const API_KEY = "test-only-redirect-api-key";
const NO_RETRY = { retries: 0, baseDelayMs: 1, maxDelayMs: 1 };

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let other: http.Server;
let front: https.Server;
/** The same redirector over plain HTTP: clients without a pin take undici's default connector. */
let plainFront: http.Server;
const seen: Seen[] = [];
let frontRequests = 0;
let status = 302;
const cert = selfSignedCertificate("redirect-front");

const listen = (s: http.Server | https.Server) =>
  new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as AddressInfo).port)));

let otherOrigin = "";
let frontUrl = "";
let plainFrontUrl = "";

beforeAll(async () => {
  other = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" }).end('{"data":{}}');
    });
  });
  otherOrigin = `http://127.0.0.1:${await listen(other)}`;
  const redirect = (req: http.IncomingMessage, res: http.ServerResponse) => {
    frontRequests++;
    req.resume();
    res.writeHead(status, { location: `${otherOrigin}${req.url}` }).end();
  };
  front = https.createServer({ key: cert.keyPem, cert: cert.certPem }, redirect);
  frontUrl = `https://127.0.0.1:${await listen(front)}`;
  plainFront = http.createServer(redirect);
  plainFrontUrl = `http://127.0.0.1:${await listen(plainFront)}`;
});

const rows: string[] = [];

afterAll(async () => {
  const doc = [
    "# Hostile server behaviour: redirects",
    "",
    "Written by `tests/hostile/redirects.test.ts`: the configured endpoint answers with a redirect to",
    "another origin (plain HTTP). Each client stops at the first answer: the other origin saw no",
    "request, so no credential left, and the error names the config key to fix.",
    "",
    "| client | answer | endpoint | requests at the other origin | the error names |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(__dirname, "../../docs/hostile-redirects.md"), doc);
  await new Promise((r) => other.close(r));
  await new Promise((r) => front.close(r));
  await new Promise((r) => plainFront.close(r));
});

beforeEach(() => {
  seen.length = 0;
  frontRequests = 0;
});

/** What the other origin got, as one string: it must be empty, and never hold a credential. */
const leaked = () => JSON.stringify(seen);

type Make = (
  endpoint: string,
  tlsFingerprint?: string,
) => {
  call: () => Promise<unknown>;
  close: () => Promise<void>;
};

const clients: [string, string, Make][] = [
  [
    "PMG (login POST with the password)",
    "pmg.endpoint",
    (endpoint, tlsFingerprint) => {
      const c = new PmgClient({
        endpoint,
        username: "root@pam",
        password: PASSWORD,
        tlsFingerprint,
        retry: NO_RETRY,
      });
      return { call: () => c.get("/version"), close: () => c.close() };
    },
  ],
  [
    "UniFi (X-API-Key on every request)",
    "unifi.endpoint",
    (endpoint, tlsFingerprint) => {
      const c = new UnifiClient({
        endpoint,
        apiKey: API_KEY,
        tlsFingerprint,
        retry: NO_RETRY,
      });
      return {
        call: () => c.request("PUT", "/proxy/network/v2/api/site/default/static-dns/x", { value: 1 }),
        close: () => c.close(),
      };
    },
  ],
  [
    "Stalwart (Basic auth on every request)",
    "stalwart.endpoint",
    (endpoint, tlsFingerprint) => {
      const t = new StalwartTransport({
        endpoint,
        auth: { username: "admin", password: PASSWORD },
        tlsFingerprint,
        retry: NO_RETRY,
      });
      return {
        call: () => t.request("POST", "/api/principal", { body: { secrets: [PASSWORD] }, idempotent: false }),
        close: () => t.close(),
      };
    },
  ],
];

describe.each(clients)("%s", (name, key, make) => {
  const cases = [301, 302, 303, 307, 308].flatMap((code) => [
    [code, "https, pinned"] as const,
    [code, "http, no pin"] as const,
  ]);
  it.each(cases)(
    "stops at a %i to another origin (%s): the error names homelab-mail:" +
      key +
      ", the other origin saw nothing",
    async (code, front) => {
      status = code;
      const c = front === "http, no pin" ? make(plainFrontUrl) : make(frontUrl, cert.fingerprint);
      try {
        const err = await c.call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(seen.length).toBe(0);
        expect(leaked()).not.toContain(PASSWORD);
        expect(leaked()).not.toContain(API_KEY);
        expect(frontRequests).toBe(1);
        expect(err).toBeInstanceOf(RedirectError);
        const message = (err as Error).message;
        expect(message).toContain(`homelab-mail:${key}`);
        expect(message).toContain(`answered ${code} redirecting to ${otherOrigin}/`);
        expect(message).not.toContain(PASSWORD);
        expect(message).not.toContain(API_KEY);
        rows.push(
          `| ${name} | ${code} | ${front} | ${seen.length} | ${/homelab-mail:[\w.]+/.exec(message)?.[0]} |`,
        );
      } finally {
        await c.close();
      }
    },
  );
});

describe("the redirect error", () => {
  it("never echoes a user:password from the Location header", async () => {
    status = 302;
    const c = new PmgClient({
      endpoint: frontUrl,
      username: "root@pam",
      password: PASSWORD,
      tlsFingerprint: cert.fingerprint,
      retry: NO_RETRY,
    });
    const server = front;
    const listeners = server.listeners("request");
    server.removeAllListeners("request");
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      req.resume();
      res.writeHead(302, { location: `http://u:${PASSWORD}@127.0.0.1:1/x` }).end();
    });
    try {
      const err = await c.get("/version").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RedirectError);
      expect((err as Error).message).toContain("redirecting to http://127.0.0.1:1/x;");
      expect((err as Error).message).not.toContain(PASSWORD);
    } finally {
      server.removeAllListeners("request");
      for (const l of listeners) server.on("request", l as (...a: unknown[]) => void);
      await c.close();
    }
  });
});
