/**
 * `npm run adoption-plan` over the guide's homelab (tests/fixtures/guide) on the PMG, Stalwart and
 * UniFi stand-ins: every declared object with what the first `up` would do, and not one write.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { startGuideBed, writes, type GuideBed } from "../adoption/bed";
import type { PlanSection } from "../../plan/types";

const ROOT = path.resolve(__dirname, "..", "..");

function runPlan(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "npm",
      ["run", "-s", "adoption-plan", "--", ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
      },
    );
  });
}

let bed: GuideBed;
let dir: string;
beforeAll(async () => {
  bed = await startGuideBed();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "adoption-plan-"));
}, 120_000);
afterAll(async () => {
  await bed?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function stackFile(config: Record<string, unknown>): string {
  const file = path.join(dir, `Pulumi.guide-${Math.random().toString(36).slice(2)}.yaml`);
  const doc = {
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`homelab-mail:${k}`, v])),
  };
  fs.writeFileSync(file, stringify(doc));
  return file;
}

it("lists what the first up does to each object of the guide's homelab, and writes nothing", async () => {
  bed.pmg.resetCounters();
  bed.stalwart.resetCounters();
  bed.unifi.resetCounters();
  const env = {
    pmgPassword: bed.secrets.pmgPassword,
    stalwartPassword: bed.secrets.stalwartPassword,
    unifiApiKey: bed.secrets.unifiApiKey,
    stalwartAccountPasswords: bed.secrets.stalwartAccountPasswords,
  };
  const file = stackFile(bed.config);
  const text = await runPlan(["--stack-file", file], env);
  expect(text.stderr).toBe("");
  expect(text.code).toBe(0);
  // For the report: the plan on the guide fixture.
  console.log(text.stdout);
  const lines = text.stdout.split("\n");
  expect(lines).toEqual(
    expect.arrayContaining([
      '  adopt   relay domain example.net (comment "CTI service domain")',
      '  adopt   transport example.org -> smtp:192.0.2.20:25 (comment "Deliver to Stalwart")',
      '  change  outbound smarthost (/config/mail): smarthost (unset) -> "smtp.gmail.com"; smarthostport 25 -> 587',
      "  note    PMG relay smtp.gmail.com:587 (no MX)",
      "  adopt   DKIM selector pmg2026 (2048-bit)",
      "  change  DKIM signing (once the DNS records publish the key): dkim_sign 0 -> 1",
      '  change  account noreply <noreply@example.net, noreply@example.org>: password "(plain text)" -> "(the same password, hashed)"',
      "  adopt   domain example.org",
      "  adopt   A mail.lab.local -> 192.0.2.20",
      "24 objects: 14 adopt as is, 10 adopt and change, 0 create, 0 refused; 0 systems unreadable",
    ]),
  );

  const json = await runPlan(["--stack-file", file, "--json"], env);
  const sections = JSON.parse(json.stdout) as PlanSection[];
  expect(sections.map((s) => s.items.filter((i) => i.action !== "note").length)).toEqual([12, 10, 2]);
  // Read-only: not one write on any stand-in (logins aside).
  expect([
    writes(bed.pmg.counters.requestsByRoute),
    writes(bed.stalwart.counters.requestsByRoute),
    writes(bed.unifi.counters.requestsByRoute),
  ]).toEqual([{}, {}, {}]);
}, 120_000);

it("names refusals with the reason and the fix, and a system it cannot read; exit 1", async () => {
  const config = structuredClone(bed.config) as Record<string, Record<string, unknown>>;
  config.pmg.transport = { host: "192.0.2.21", port: 25 };
  config.pmg.dkim = { selector: "pmg2026", keySize: 1024 };
  const r = await runPlan(["--stack-file", stackFile(config)], {
    pmgPassword: bed.secrets.pmgPassword,
    stalwartPassword: bed.secrets.stalwartPassword,
  });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(
    /refuse  transport example\.net -> smtp:192\.0\.2\.21:25: host "192\.0\.2\.20" -> "192\.0\.2\.21"\n\s+why: PMG already routes example\.net elsewhere/,
  );
  expect(r.stdout).toMatch(
    /refuse  DKIM selector pmg2026 \(1024-bit\)\n\s+why: selector pmg2026 already has a 2048-bit key, declared 1024\n\s+fix: to keep the key, set homelab-mail:pmg\.dkim\.keySize to 2048/,
  );
  // No stalwartAccountPasswords: a generated password would replace the guide's shared one.
  expect(r.stdout).toMatch(
    /refuse  account misp <misp@example\.net>\n\s+why: no password is set for it in homelab-mail:stalwartAccountPasswords[^\n]*\n\s+fix: .*stalwartAccountPasswords\.misp/,
  );
  expect(r.stdout).toMatch(/unifi \S+\n  cannot read: homelab-mail:unifiApiKey is not set/);
}, 120_000);

it("stops on a bad stack file before reading anything, naming the key", async () => {
  const config = structuredClone(bed.config) as Record<string, Record<string, unknown>>;
  config.pmg.comments = { relayDomains: { "example.com": "x" } };
  bed.pmg.resetCounters();
  const r = await runPlan(["--stack-file", stackFile(config)], { pmgPassword: bed.secrets.pmgPassword });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(
    /homelab-mail:pmg\.comments\.relayDomains\.example\.com: is not one of the domains/,
  );
  expect(bed.pmg.counters.requests).toBe(0);
}, 60_000);
