import * as fs from "node:fs";
import * as path from "node:path";
import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../lib/stackConfig";
import { exampleConfig } from "../lib/config.test";
import { CASES, type HostileCase } from "./cases";

/** Sets `a.b[0].c` in a config object. */
function setPath(obj: Record<string, unknown>, p: string, value: unknown): void {
  const parts = p.replace(/\[(\d+)\]/g, ".$1").split(".");
  let cur: any = obj;
  for (const part of parts.slice(0, -1)) cur = cur[part];
  cur[parts[parts.length - 1]] = value;
}

const SECRETS = Object.fromEntries(SECRET_KEYS.map((k) => [k, `test-only-${k}`]));

/**
 * Puts a raw config into Pulumi's runtime config, as the CLI hands it to a program, and returns its
 * reader. Every secret key is marked secret (set with --secret), unless `plain` names it.
 */
function withStackConfig(
  raw: Record<string, unknown>,
  plain?: { key: string; value: string },
): pulumi.Config {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw))
    all[`homelab-mail:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(SECRETS)) all[`homelab-mail:${k}`] = v;
  if (plain) all[`homelab-mail:${plain.key}`] = plain.value;
  pulumi.runtime.setAllConfig(
    all,
    Object.keys(SECRETS)
      .filter((k) => k !== plain?.key)
      .map((k) => `homelab-mail:${k}`),
  );
  return new pulumi.Config("homelab-mail");
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
  return [];
}
const rows: string[] = [];

afterAll(() => {
  const table = [
    "# Hostile configuration values",
    "",
    "Written by `tests/hostile/config.test.ts` on every run: each value is rejected by the config",
    "validation, read through Pulumi's config reader as the program reads it, with a message naming its",
    "key, before the program registers any resource.",
    "",
    "| # | category | key | value | first words of the message |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
  fs.mkdirSync(path.join(__dirname, "../../docs"), { recursive: true });
  fs.writeFileSync(path.join(__dirname, "../../docs/hostile-inputs.md"), table);
});

const show = (v: unknown) => JSON.stringify(v).replace(/\|/g, "\\|").slice(0, 60);

describe("hostile configuration values", () => {
  it("has at least 50 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(50));

  it.each(CASES.map((c, i) => [i + 1, c] as [number, HostileCase]))(
    "#%i is rejected naming its key, before anything is registered",
    async (n, c) => {
      const raw = exampleConfig();
      const plain = c.plainSecret ? { key: c.path, value: String(c.value) } : undefined;
      if (!plain) setPath(raw, c.path, c.value);
      // A plain-text secret only exists in Pulumi's runtime config (which keys are secret); every
      // other value is checked by the validation alone first.
      const problems = plain
        ? problemsOf(() => loadStackConfig(withStackConfig(raw, plain)))
        : problemsOf(() => validateConfig(raw, new Set(SECRET_KEYS)));
      const key = `homelab-mail:${c.names ?? c.path}`;
      const mine = problems.find((p) => p.startsWith(`${key}:`));
      expect([key, mine]).toEqual([key, expect.any(String)]);
      if (/secret/.test(c.category)) for (const p of problems) expect(p).not.toContain("hunter2");
      // The same value through Pulumi's own config reader, as index.ts reads it before it builds
      // anything (tests/components/index.test.ts shows that path registers no resource at all).
      expect(() => loadStackConfig(withStackConfig(raw, plain))).toThrow(ConfigError);
      rows.push(
        `| ${n} | ${c.category} | \`${c.names ?? c.path}\` | \`${show(c.value)}\` | ${mine!.slice(key.length + 2, key.length + 90).replace(/\|/g, "\\|")} |`,
      );
    },
  );
});
