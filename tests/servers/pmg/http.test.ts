// HTTP-level behaviour of pve-http-server, checked with hand-written requests over TLS.
import * as tls from "node:tls";
import { startPmgServer, type PmgTestServer } from "./server";
import { rootClient, type TestClient } from "./test-client";

let pmg: PmgTestServer;
let c: TestClient;

beforeAll(async () => {
  pmg = await startPmgServer({ authFailureDelayMs: 5 });
  c = await rootClient(pmg);
});
afterAll(async () => {
  await c.close();
  await pmg.close();
});

interface Raw {
  statusLine: string;
  headers: Record<string, string>;
  body: string;
}

/** Sends `head` (+ body) verbatim and reads until the server closes the connection. */
function raw(requestLine: string, headers: Record<string, string> = {}, body = ""): Promise<Raw> {
  const all: Record<string, string> = { Host: `127.0.0.1:${pmg.port}`, Connection: "close", ...headers };
  if (c.session) all.Cookie ??= `PMGAuthCookie=${encodeURIComponent(c.session.ticket)}`;
  const head = `${requestLine}\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: "127.0.0.1", port: pmg.port, ca: pmg.certPem }, () =>
      sock.end(head + body),
    );
    const chunks: Buffer[] = [];
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("error", reject);
    sock.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [top, ...rest] = text.split("\r\n\r\n");
      const [statusLine, ...lines] = top.split("\r\n");
      const hdrs: Record<string, string> = {};
      for (const l of lines)
        hdrs[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
      resolve({ statusLine, headers: hdrs, body: rest.join("\r\n\r\n") });
    });
  });
}

test("success answers carry pve-api-daemon's headers", async () => {
  const r = await c.call("GET", "/version");
  expect(r.headers.get("content-type")).toBe("application/json;charset=UTF-8");
  expect(r.headers.get("server")).toBe("pve-api-daemon/3.0");
  expect(r.headers.get("cache-control")).toBe("max-age=0");
  expect(r.headers.get("pragma")).toBe("no-cache");
  expect(r.headers.get("connection")).toBe("Keep-Alive");
});

test("unknown method and unknown path", async () => {
  const patch = await raw("PATCH /api2/json/version HTTP/1.1");
  expect([patch.statusLine, patch.body]).toEqual(["HTTP/1.1 501 method 'PATCH' not available", ""]);
  const del = await c.call("DELETE", "/config/mail");
  expect([del.status, del.reason, del.json]).toEqual([
    501,
    "Method 'DELETE /config/mail' not implemented",
    { data: null, message: "Method 'DELETE /config/mail' not implemented" },
  ]);
  const outside = await raw("GET /nope HTTP/1.1");
  expect([outside.statusLine, outside.body]).toEqual([
    "HTTP/1.1 500 no such file '/nope'",
    "no such file '/nope'",
  ]);
});

test("body on GET, chunked bodies and other content types are refused", async () => {
  const get = await raw("GET /api2/json/version HTTP/1.1", { "Content-Length": "2" }, "{}");
  expect([get.statusLine, get.body]).toEqual([
    "HTTP/1.1 501 Unexpected content for method 'GET'",
    "Unexpected content for method 'GET'",
  ]);
  const chunked = await raw(
    "POST /api2/json/config/domains HTTP/1.1",
    { "Transfer-Encoding": "chunked" },
    "0\r\n\r\n",
  );
  expect(chunked.statusLine).toBe("HTTP/1.1 501 chunked transfer encoding not supported");
  const xml = await raw(
    "POST /api2/json/config/domains HTTP/1.1",
    { "Content-Type": "text/xml", "Content-Length": "3", CSRFPreventionToken: c.session?.csrf ?? "" },
    "<a>",
  );
  expect(xml.statusLine).toBe("HTTP/1.1 506 upload 'Content-Type 'text/xml' not implemented");
});

test("a malformed (or empty) JSON body is a 500 with a plain-text body", async () => {
  const csrf = c.session?.csrf ?? "";
  const bad = await raw(
    "PUT /api2/json/config/mail HTTP/1.1",
    { "Content-Type": "application/json", "Content-Length": "4", CSRFPreventionToken: csrf },
    "{bad",
  );
  expect(bad.statusLine).toMatch(/^HTTP\/1\.1 500 malformed JSON string/);
  expect(bad.headers["content-type"]).toBeUndefined();
  const empty = await c.call("PUT", "/config/mail", { headers: { "Content-Type": "application/json" } });
  expect([empty.status, empty.json]).toEqual([500, undefined]);
});

test("form decoding quirks: ';' separates pairs, k=v=w keeps v, _dc is dropped", async () => {
  const body = "domain=a.example;comment=one=two&_dc=123";
  const r = await raw(
    "POST /api2/json/config/domains HTTP/1.1",
    {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": String(body.length),
      CSRFPreventionToken: c.session?.csrf ?? "",
    },
    body,
  );
  expect(r.statusLine).toBe("HTTP/1.1 200 OK");
  expect(await c.ok("GET", "/config/domains/a.example")).toEqual({ domain: "a.example", comment: "one" });
});

test("a form boolean written as 'true' and a repeated plain parameter are type errors", async () => {
  const r = await c.call("POST", "/config/transport", {
    form: { domain: ["x.example", "y.example"], host: "mx.example", use_mx: "true" },
  });
  expect(r.json?.errors).toEqual({
    domain: "type check ('string') failed - got ARRAY",
    use_mx: "type check ('boolean') failed - got 'true'",
  });
});
