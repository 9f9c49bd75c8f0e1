/**
 * `npm run adoption-plan -- --stack-file Pulumi.<stack>.yaml [--json]`: before the first `pulumi up`,
 * what it would do to every declared object on the live systems (adopt as is, adopt and change,
 * create, refuse), read-only. Secrets come from environment variables named like their config keys
 * (pmgPassword, stalwartPassword, stalwartApiKey, unifiApiKey, stalwartAccountPasswords, ...).
 * Exit status: 0 nothing refused, 1 something refused or a system could not be read, 2 bad usage or config.
 */
import * as fs from "node:fs";
import { parse } from "yaml";
import { ConfigError } from "../lib/errors";
import { adoptionPlan, PLAN_SECRETS } from "./index";
import { formatPlan } from "./types";

const USAGE = "usage: npm run adoption-plan -- --stack-file Pulumi.<stack>.yaml [--json]";

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf("--stack-file");
  const file = at >= 0 ? argv[at + 1] : undefined;
  if (!file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let doc: { config?: Record<string, unknown> };
  try {
    doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as typeof doc;
  } catch (e) {
    process.stderr.write(`cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc.config ?? {})) {
    if (!k.startsWith("homelab-mail:")) continue;
    // Encrypted secrets (`secure:`) cannot be read here: they come from the environment.
    if (v && typeof v === "object" && "secure" in v) continue;
    raw[k.slice("homelab-mail:".length)] = v;
  }
  const secrets = Object.fromEntries(PLAN_SECRETS.map((k) => [k, process.env[k]]));
  try {
    const sections = await adoptionPlan(raw, secrets);
    process.stdout.write(
      argv.includes("--json") ? `${JSON.stringify(sections, null, 2)}\n` : `${formatPlan(sections)}\n`,
    );
    const bad = sections.some((s) => s.error || s.items.some((i) => i.action === "refuse"));
    return bad ? 1 : 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`adoption-plan failed: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
