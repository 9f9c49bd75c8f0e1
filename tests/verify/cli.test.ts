// verify's command line, outputs and report, without servers: arguments, the outputs contract,
// usage errors (exit 2), the table and JSON, and that no secret is ever printed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "../../verify/args";
import { main } from "../../verify/cli";
import { parseDnsServers } from "../../verify/dns";
import { checkOutputs, loadOutputs } from "../../verify/outputs";
import { pmgAccessFromEnv } from "../../verify/pmg";
import { redact, renderJson, renderTable } from "../../verify/report";
import { fail, pass, warn } from "../../verify/result";

const SECRET = "s3cret-Passw0rd-xyz";
const OUTPUTS = {
  smtpRelay: { host: "127.0.0.1", port: 1, auth: "none (trusted networks)" },
  imap: { host: "127.0.0.1", port: 1, security: "starttls" },
  accounts: { alice: { login: "alice", addresses: ["alice@example.net"], password: "[secret]" } },
  dkim: {},
  pendingSteps: ["verify a@example.com: open the link Cloudflare mailed to it"],
};

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await main(
    args,
    env,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

function file(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-cli-"));
  const f = path.join(dir, "outputs.json");
  fs.writeFileSync(f, content);
  return f;
}

describe("parseArgs", () => {
  it("defaults to the selected stack, the system resolver, the system CAs and a message sent", () => {
    const inv = parseArgs([], {});
    expect(inv.source).toEqual({ kind: "stack", stack: undefined });
    expect(inv.options).toMatchObject({
      dnsServers: undefined,
      imapTrust: { kind: "system" },
      send: true,
      deliveryTimeoutMs: 120_000,
      pmg: undefined,
    });
  });

  it("reads every option, in both --flag value and --flag=value forms", () => {
    const inv = parseArgs(
      [
        "--outputs=o.json",
        "--dns",
        "127.0.0.1:5353",
        "--internal-dns",
        "[::1]:53",
        "--to",
        "a@example.net",
        "--no-send",
        "--timeout",
        "5",
        "--json",
        "--imap-fingerprint",
        "ab".repeat(32),
      ],
      {},
    );
    expect(inv.source).toEqual({ kind: "file", path: "o.json" });
    expect(inv.json).toBe(true);
    expect(inv.options).toMatchObject({
      dnsServers: ["127.0.0.1:5353"],
      internalDnsServers: ["[::1]:53"],
      to: "a@example.net",
      send: false,
      deliveryTimeoutMs: 5000,
      imapTrust: { kind: "pin" },
    });
  });

  it("rejects contradictions, unknown options and bad values, with the usage", () => {
    expect(() => parseArgs(["--stack", "s", "--outputs", "f"], {})).toThrow(
      /not both[\s\S]*usage: npm run verify/,
    );
    expect(() => parseArgs(["--imap-ca", "f", "--imap-fingerprint", "ab".repeat(32)], {})).toThrow(
      /not both/,
    );
    expect(() => parseArgs(["--insecure"], {})).toThrow(/unknown option --insecure/);
    expect(() => parseArgs(["--timeout", "soon"], {})).toThrow(/--timeout must be seconds/);
    expect(() => parseArgs(["--imap-fingerprint", "abc"], {})).toThrow(/SHA-256 fingerprint/);
    expect(() => parseArgs(["--imap-ca", "/nonexistent/ca.pem"], {})).toThrow(
      /--imap-ca \/nonexistent\/ca.pem: ENOENT/,
    );
    expect(() => parseArgs(["--dns"], {})).toThrow(/--dns needs a value/);
  });
});

describe("parseDnsServers", () => {
  it("accepts IPv4 and IPv6 with or without a port, and refuses names", () => {
    expect(parseDnsServers("127.0.0.1:5353, 192.0.2.1,[::1]:5353,::1")).toEqual([
      "127.0.0.1:5353",
      "192.0.2.1:53",
      "[::1]:5353",
      "[::1]:53",
    ]);
    expect(() => parseDnsServers("dns.example.net")).toThrow(/not an IP address/);
    expect(() => parseDnsServers("127.0.0.1:70000")).toThrow(/port 70000/);
  });
});

describe("pmgAccessFromEnv", () => {
  it("is off when nothing is set, and names what is missing when only part is", () => {
    expect(pmgAccessFromEnv({})).toBeUndefined();
    expect(() => pmgAccessFromEnv({ PMG_ENDPOINT: "https://pmg:8006" })).toThrow(
      /PMG_USERNAME, PMG_PASSWORD missing/,
    );
    expect(() =>
      pmgAccessFromEnv({ PMG_ENDPOINT: "http://pmg:8006", PMG_USERNAME: "u@pmg", PMG_PASSWORD: SECRET }),
    ).toThrow(/must be https/);
    expect(
      pmgAccessFromEnv({ PMG_ENDPOINT: "https://pmg:8006", PMG_USERNAME: "u@pmg", PMG_PASSWORD: SECRET }),
    ).toMatchObject({ tlsFingerprint: undefined });
  });
});

describe("checkOutputs", () => {
  it("accepts the contract's shape, and lists every field that breaks it", () => {
    expect(checkOutputs(OUTPUTS)).toBe(OUTPUTS);
    const bad = {
      smtpRelay: { host: "", port: 0 },
      imap: { host: "h", port: 143, security: "plain" },
      accounts: { a: { login: "a" } },
      dkim: { "example.net": { name: "n" } },
      internalRecords: [{ name: "x", type: "MX", value: "y" }],
    };
    expect(() => checkOutputs(bad)).toThrow(
      /smtpRelay\.host must be a host name\n {2}- smtpRelay\.port must be a port number\n {2}- imap\.security must be "starttls" or "tls"\n {2}- accounts\.a must be .*\n {2}- dkim\.example\.net must be \{name, value\}\n {2}- pendingSteps must be a list of strings\n {2}- internalRecords\[0\] must be/,
    );
  });

  it("never quotes a file that is not JSON: it may hold passwords", async () => {
    await expect(
      loadOutputs({ kind: "file", path: file(`{"accounts": {"a": {"password": "${SECRET}"}`) }),
    ).rejects.toThrow(/not valid JSON/);
    await expect(loadOutputs({ kind: "file", path: file(`{"password": ${SECRET}}`) })).rejects.not.toThrow(
      SECRET,
    );
  });

  it("says how to go on when the Pulumi CLI is not there", async () => {
    const saved = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
    try {
      await expect(loadOutputs({ kind: "stack", stack: "homelab" })).rejects.toThrow(
        /pulumi stack output --stack homelab failed: the Pulumi CLI is not on PATH; or pass the outputs as a file with --outputs/,
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe("report", () => {
  const results = [
    pass("dkim:example.net", "ok"),
    warn("pending:1", "pending human step: x", "click"),
    fail("imap:alice", `login refused: ${SECRET}`, `not ${SECRET}`),
  ];

  it("redacts every known secret, wherever a server echoed it", () => {
    const clean = redact(results, [SECRET, "ab"]);
    expect(JSON.stringify(clean)).not.toContain(SECRET);
    expect(clean[2]).toMatchObject({ detail: "login refused: [secret]", fix: "not [secret]" });
    expect(clean[0].detail).toBe("ok");
  });

  it("prints a table with the fix under each warning and failure, and a summary line", () => {
    expect(renderTable(results)).toBe(
      [
        "PASS  dkim:example.net  ok",
        "WARN  pending:1         pending human step: x",
        "                        fix: click",
        `FAIL  imap:alice        login refused: ${SECRET}`,
        `                        fix: not ${SECRET}`,
        "",
        "verify: 1 pass, 1 warn, 1 fail (exit 1)",
        "",
      ].join("\n"),
    );
  });

  it("prints one JSON object with the counts and every check", () => {
    expect(JSON.parse(renderJson(results))).toEqual({
      ok: false,
      pass: 1,
      warn: 1,
      fail: 1,
      checks: results,
    });
  });
});

describe("main", () => {
  it("exits 2 with the reason on a usage error or unreadable outputs, printing nothing on stdout", async () => {
    expect(await run(["--bogus"])).toMatchObject({
      code: 2,
      out: "",
      err: expect.stringContaining("unknown option --bogus"),
    });
    expect(await run(["--outputs", "/nonexistent.json"])).toMatchObject({
      code: 2,
      err: "verify: --outputs /nonexistent.json: ENOENT\n",
    });
  });

  it("fails an account whose password the outputs hide, and warns on pending steps, without a network call", async () => {
    const r = await run(["--outputs", file(JSON.stringify(OUTPUTS)), "--no-send", "--json"]);
    const report = JSON.parse(r.out);
    expect(r.code).toBe(1);
    expect(report.checks.map((c: { id: string; status: string }) => `${c.id} ${c.status}`)).toEqual([
      "pending:1 warn",
      "pmg-dkim warn",
      "imap:alice fail",
      "relay warn",
    ]);
    expect(report.checks[2].fix).toMatch(/--show-secrets/);
  });

  it("never prints an account's password, even in a failure", async () => {
    const outputs = { ...OUTPUTS, accounts: { alice: { ...OUTPUTS.accounts.alice, password: SECRET } } };
    const r = await run(["--outputs", file(JSON.stringify(outputs)), "--no-send"]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).not.toContain(SECRET);
    expect(r.out).toMatch(/^FAIL {2}imap:alice/m);
  });
});
