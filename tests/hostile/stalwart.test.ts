/**
 * Hostile server behaviour and transport for Stalwart (issue 14, items 3 and 6), through the
 * provider host: plain http off loopback is refused before any connection, HTTPS with a pinned
 * certificate works and a wrong pin sends nothing, and an answer that does not say how much mail a
 * mailbox holds stops its deletion. Writes docs/hostile-stalwart.md.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { startProviderHost, type ProviderHost } from "../harness/providerHost";
import { serializeProviders } from "../harness/serialize";
import { Engine } from "../providers/engine";
import { startStalwartServer, type StalwartTestServer } from "../servers/stalwart/server";

const KIND = "stalwart:StalwartPrincipal";
const password = randomBytes(18).toString("base64url");
const hosts: ProviderHost[] = [];
const closers: (() => Promise<void>)[] = [];
const rows: string[] = [];
let texts: Record<string, string>;

async function engineFor(stalwart: Record<string, unknown>): Promise<Engine> {
  const host = await startProviderHost();
  hosts.push(host);
  await host.configure(
    {
      "homelab-mail:stalwart": JSON.stringify({ username: "admin", ...stalwart }),
      "homelab-mail:stalwartPassword": password,
    },
    { secretKeys: ["homelab-mail:stalwartPassword"] },
  );
  return new Engine(host, texts);
}

async function serve(opts: Parameters<typeof startStalwartServer>[0]): Promise<StalwartTestServer> {
  const s = await startStalwartServer({ password, ...opts });
  closers.push(() => s.close());
  return s;
}

/** A proxy in front of the stand-in that rewrites its JSON answers (a different server, or a proxy). */
async function rewriting(target: string, rewrite: (body: string) => string): Promise<string> {
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const k of ["authorization", "content-type", "accept"])
          if (typeof req.headers[k] === "string") headers[k] = req.headers[k];
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const r = await fetch(target + (req.url ?? "/"), { method: req.method, headers, body });
        const text = rewrite(await r.text());
        res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

const row = (finding: string, behaviour: string, outcome: string) =>
  rows.push(
    `| ${finding} | ${behaviour} | ${outcome
      .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
      .replace(/([0-9A-F]{2}:){31}[0-9A-F]{2}/g, "<sha256>")
      .replace(/\|/g, "\\|")
      .replace(/\n/g, " ")
      .slice(0, 160)} |`,
  );

beforeAll(async () => {
  texts = await serializeProviders("tests/providers/shims.ts");
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await Promise.all(closers.map((c) => c()));
  const doc = [
    "# Hostile Stalwart transport and server answers",
    "",
    "Written by `tests/hostile/stalwart.test.ts`: through the provider host, against the Stalwart",
    "stand-in (HTTPS with a self-signed certificate, or behind a proxy that rewrites its answers).",
    "",
    "| issue 14 item | behaviour | what the program did |",
    "| --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(__dirname, "../../docs/hostile-stalwart.md"), doc);
});

describe("Stalwart transport (issue 14, item 3)", () => {
  it("refuses plain http off loopback before connecting, naming the acknowledgement key", async () => {
    const endpoint = "http://192.0.2.20:8080";
    const engine = await engineFor({ endpoint: "https://127.0.0.1:1" });
    // Straight to create (as a resource from old state would be), past check's own refusal.
    const err = await engine.host
      .create({ __provider: texts[KIND], endpoint, type: "domain", name: "example.net", description: "" })
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/plain http to 192\.0\.2\.20.*allowPlainHttp/);
    row("3", `a resource whose endpoint is ${endpoint}`, String((err as Error).message));
  });

  it("speaks HTTPS with the pinned certificate, and sends nothing to a certificate that does not match", async () => {
    const server = await serve({ api: "jmap", tls: true });
    expect(server.url).toMatch(/^https:/);
    const engine = await engineFor({ endpoint: server.url, tlsFingerprint: server.fingerprint });
    const { state } = await engine.up(KIND, { endpoint: server.url, type: "domain", name: "example.net" });
    expect(state.outputs.api).toBe("jmap");
    row("3", "HTTPS endpoint with stalwart.tlsFingerprint of its self-signed certificate", "domain created");

    const before = server.counters.requests;
    const wrong = server.fingerprint.replace(/^../, server.fingerprint.startsWith("00") ? "01" : "00");
    const pinned = await engineFor({ endpoint: server.url, tlsFingerprint: wrong });
    const err = await pinned
      .up(KIND, { endpoint: server.url, type: "domain", name: "example.org" })
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/not the pinned.*tlsFingerprint/);
    expect(server.counters.requests).toBe(before);
    row(
      "3",
      "HTTPS endpoint whose certificate is not the pinned one",
      `${(err as Error).message} (no request sent)`,
    );
  });
});

describe("mailbox usage that cannot be read (issue 14, item 6)", () => {
  const cases = [
    {
      api: "jmap" as const,
      what: "0.16 answer without usedDiskQuota",
      rewrite: (t: string) =>
        t ? JSON.stringify(JSON.parse(t, (k, v: unknown) => (k === "usedDiskQuota" ? undefined : v))) : t,
      login: "noreply@example.net",
    },
    {
      api: "rest" as const,
      what: 'REST answer with "usedQuota":"4096" (not a number)',
      rewrite: (t: string) => t.replace(/"usedQuota":(\d+)/g, '"usedQuota":"$1"'),
      login: "noreply",
    },
  ];
  it.each(cases)("refuses to delete a mailbox on a $what", async ({ api, what, rewrite, login }) => {
    const server = await serve({ api });
    const endpoint = await rewriting(server.url, rewrite);
    const engine = await engineFor({ endpoint });
    await engine.up(KIND, { endpoint, type: "domain", name: "example.net" });
    const { state } = await engine.up(KIND, {
      endpoint,
      type: "individual",
      name: "noreply",
      emails: ["noreply@example.net"],
    });
    server.deliver(login, 4096);
    const err = await engine.destroy(state).catch((e: Error) => e);
    expect(String(err)).toMatch(/does not say how much mail.*treated as holding mail.*allowMailboxDeletion/);
    const still = api === "rest" ? server.rest.byName("noreply") : server.jmap.accountByAddress(login);
    expect(still).toBeDefined();
    row("6", what, (err as Error).message);
  });
});
