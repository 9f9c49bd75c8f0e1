// `npm run verify` against real servers from Debian on loopback (tests/verify/bed): passing on the
// healthy chain, and failing, naming the check, for each thing broken on purpose.
import * as fs from "node:fs";
import * as path from "node:path";
import type { MailChainOutputs } from "../../lib/outputs";
import { PmgClient } from "../../providers/pmg/client";
import { main } from "../../verify/cli";
import type { CheckResult } from "../../verify/result";
import { HELD_ADDRESS, startMailBed, type MailBed } from "./bed/bed";
import { listening } from "./bed/net";
import { missingPrerequisites } from "./bed/tools";
import { runCli } from "./runCli";

interface Run {
  code: number;
  checks: CheckResult[];
  status: Record<string, string>;
  text: string;
}

const missing = missingPrerequisites();
const suite = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) {
  // CI installs the servers (.ci/run); elsewhere the suite is skipped and says why.
  if (process.env.CI) {
    test("has the Debian servers it drives", () => {
      throw new Error(`missing: ${missing.join(", ")}; .ci/run installs them`);
    });
  } else {
    console.warn(`verify live suite skipped, missing: ${missing.join(", ")}`);
  }
}

suite("npm run verify against Postfix, Dovecot and BIND", () => {
  let bed: MailBed;
  let n = 0;
  beforeAll(async () => {
    bed = await startMailBed();
  }, 60_000);
  afterAll(() => bed?.stop());

  /** Runs verify in-process with --json, on the bed's outputs changed by `edit`; asserts no secret is printed. */
  async function verify(
    args: string[],
    edit: (o: MailChainOutputs) => MailChainOutputs = (o) => o,
    env: Record<string, string> = {},
  ): Promise<Run> {
    const file = path.join(bed.dir, `outputs-${++n}.json`);
    fs.writeFileSync(file, JSON.stringify(edit(structuredClone(bed.outputs))));
    let text = "";
    const code = await main(
      ["--outputs", file, "--json", ...args],
      env,
      (s) => (text += s),
      (s) => (text += s),
    );
    for (const secret of [...bed.secrets, env.PMG_PASSWORD ?? ""].filter(Boolean))
      expect(text).not.toContain(secret);
    const checks = (JSON.parse(text) as { checks: CheckResult[] }).checks;
    return { code, checks, text, status: Object.fromEntries(checks.map((c) => [c.id, c.status])) };
  }
  const healthy = () => ["--dns", bed.dnsHealthy, "--imap-ca", bed.certFile, "--timeout", "10"];
  const failing = (r: Run) => r.checks.filter((c) => c.status === "fail").map((c) => c.id);
  const detail = (r: Run, id: string) => r.checks.find((c) => c.id === id)?.detail ?? "";

  it("passes every check on the healthy chain, the test message found and deleted", async () => {
    const r = await verify(healthy(), undefined, bed.pmgEnv);
    expect(r.status).toEqual(
      Object.fromEntries(
        [
          "pmg-dkim",
          "dkim:example.net",
          "dkim:example.org",
          "spf:example.net",
          "spf:example.org",
          "dmarc:example.net",
          "dmarc:example.org",
          "internal-dns:pmg.lab.local",
          "internal-dns:mail.lab.local",
          "imap:alice",
          "imap:bob",
          "relay",
          "delivery:alice",
        ].map((id) => [id, "pass"]),
      ),
    );
    expect(r.code).toBe(0);
    expect(detail(r, "dkim:example.net")).toMatch(/PMG's live key/);
    expect(detail(r, "relay")).toMatch(/over STARTTLS/);
    expect(detail(await verify([...healthy(), "--no-send"]), "imap:alice")).toMatch(
      /INBOX selected: 0 messages/,
    );
  });

  it("fails imap:<account> on a wrong password, the other account passing", async () => {
    const r = await verify(
      [...healthy(), "--no-send"],
      (o) => ((o.accounts!.bob = { ...o.accounts!.bob, password: "not-bobs-password" }), o),
    );
    expect(failing(r)).toEqual(["imap:bob"]);
    expect(detail(r, "imap:bob")).toMatch(/login as bob refused/);
    expect(r.code).toBe(1);
  });

  it("pins the IMAP certificate, and fails on a wrong pin or a certificate the system does not trust", async () => {
    const pinned = await verify([
      "--dns",
      bed.dnsHealthy,
      "--no-send",
      "--imap-fingerprint",
      bed.fingerprint,
    ]);
    expect([pinned.status["imap:alice"], pinned.status["imap:bob"]]).toEqual(["pass", "pass"]);
    const wrong = bed.fingerprint.replace(/^../, bed.fingerprint.startsWith("AA") ? "BB" : "AA");
    const mismatch = await verify(["--dns", bed.dnsHealthy, "--no-send", "--imap-fingerprint", wrong]);
    expect(failing(mismatch)).toEqual(["imap:alice", "imap:bob"]);
    expect(detail(mismatch, "imap:alice")).toMatch(/not the pinned/);
    const untrusted = await verify(["--dns", bed.dnsHealthy, "--no-send"]);
    expect(failing(untrusted)).toEqual(["imap:alice", "imap:bob"]);
    expect(detail(untrusted, "imap:alice")).toMatch(/TLS .* failed \(trusting system CAs\): self-signed/);
  });

  it("names each broken DNS record: DKIM off by one character, a second SPF, no DMARC, a wrong internal A", async () => {
    const r = await verify(["--dns", bed.dnsBroken, "--no-send", "--imap-ca", bed.certFile]);
    expect(failing(r).sort()).toEqual([
      "dkim:example.net",
      "dmarc:example.org",
      "internal-dns:mail.lab.local",
      "spf:example.net",
    ]);
    expect(detail(r, "dkim:example.net")).toMatch(/differs from the dkim stack output at byte \d+/);
    expect(detail(r, "spf:example.net")).toMatch(/2 SPF records/);
    expect(detail(r, "dmarc:example.org")).toMatch(/no DMARC record at _dmarc\.example\.org/);
    expect(detail(r, "internal-dns:mail.lab.local")).toMatch(/192\.0\.2\.99 .* declares 192\.0\.2\.20/);
    expect([
      r.status["dkim:example.org"],
      r.status["spf:example.org"],
      r.status["dmarc:example.net"],
    ]).toEqual(["pass", "pass", "pass"]);
  });

  it("fails relay when the relay refuses the message", async () => {
    const r = await verify(healthy(), (o) => ({
      ...o,
      smtpRelay: { ...o.smtpRelay, port: bed.refusingRelayPort },
    }));
    expect(failing(r)).toEqual(["relay"]);
    expect(detail(r, "relay")).toMatch(/refused the test message to alice@example\.net: 554 5\.7\.1/);
    expect(r.status["delivery:alice"]).toBeUndefined();
  });

  it("fails delivery when the relay accepts the message but it never arrives", async () => {
    const held = (o: MailChainOutputs) => (
      (o.accounts!.alice = { ...o.accounts!.alice, addresses: [HELD_ADDRESS] }),
      o
    );
    const r = await verify([...healthy(), "--timeout", "1"], held);
    expect(r.status.relay).toBe("pass");
    expect(failing(r)).toEqual(["delivery:alice"]);
    expect(detail(r, "delivery:alice")).toMatch(/is not in alice's INBOX after 1 s/);
  });

  it("warns, without failing, on an unverified Cloudflare destination", async () => {
    const step =
      "verify personal@gmail.example: open the link Cloudflare mailed to it, then run pulumi up --refresh";
    const r = await verify([...healthy(), "--no-send"], (o) => ({ ...o, pendingSteps: [step] }));
    expect(r.checks.find((c) => c.id === "pending:1")).toMatchObject({
      status: "warn",
      detail: `pending human step: ${step}`,
    });
    expect(failing(r)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("fails pmg-dkim on PMG credentials it cannot use, and compares DNS with the outputs then", async () => {
    const r = await verify([...healthy(), "--no-send"], undefined, {
      ...bed.pmgEnv,
      PMG_PASSWORD: "not-the-pmg-password",
    });
    expect(failing(r)).toEqual(["pmg-dkim"]);
    expect(detail(r, "pmg-dkim")).toMatch(
      /could not be read: POST \/access\/ticket failed \(401\): authentication failure$/,
    );
    expect(detail(r, "dkim:example.net")).toMatch(/the dkim stack output/);
  });

  it("runs as npm run verify: exit 0 with a table when healthy, exit 1 with JSON naming the failures", async () => {
    const file = path.join(bed.dir, "outputs-cli.json");
    fs.writeFileSync(file, JSON.stringify(bed.outputs));
    const [ok, broken] = await Promise.all([
      runCli(["--outputs", file, ...healthy(), "--no-send"], bed.pmgEnv),
      runCli(
        ["--outputs", file, "--dns", bed.dnsBroken, "--imap-ca", bed.certFile, "--no-send", "--json"],
        {},
      ),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^PASS {2}pmg-dkim {2,}PMG signs with selector pmg2026/m);
    expect(ok.stdout).toMatch(/^verify: 11 pass, 1 warn, 0 fail$/m);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, fail: 4 });
    for (const secret of bed.secrets)
      expect(ok.stdout + ok.stderr + broken.stdout + broken.stderr).not.toContain(secret);
  });

  // Last: it changes PMG's key, which the tests above rely on.
  it("fails dkim for every domain once PMG rotates its key and DNS still has the old one", async () => {
    const client = new PmgClient({
      endpoint: bed.pmgEnv.PMG_ENDPOINT,
      username: bed.pmg.username,
      password: bed.pmg.password,
      tlsFingerprint: bed.fingerprint,
    });
    await client.create("/config/dkim/selector", { selector: "pmg2026", keysize: 2048, force: true });
    await client.close();
    const r = await verify([...healthy(), "--no-send"], undefined, bed.pmgEnv);
    expect(failing(r)).toEqual(["dkim:example.net", "dkim:example.org"]);
    expect(detail(r, "dkim:example.org")).toMatch(/differs from PMG's live key at byte \d+/);
  });

  it("leaves no daemon running once stopped", async () => {
    const ports = [bed.outputs.smtpRelay.port, bed.outputs.imap!.port, bed.refusingRelayPort];
    await bed.stop();
    expect(await Promise.all(ports.map(listening))).toEqual([false, false, false]);
    for (const d of bed.daemons) expect(() => process.kill(d.pid, 0)).toThrow();
    expect(fs.existsSync(bed.dir)).toBe(false);
  });
});
