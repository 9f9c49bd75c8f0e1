/**
 * `npm run render -- --stack-file Pulumi.<stack>.yaml --out <dir>`: writes what the program would
 * put on the PMG host (render/hostFiles.ts), without touching any system. Secrets come from
 * environment variables of the same name (gmailFetchmailPassword, gmailSmarthostPassword) when set,
 * otherwise a visible placeholder is written in their place.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SECRET_KEYS, validateConfig } from "../lib/config";
import { ConfigError } from "../lib/errors";
import { renderHostFiles, type RenderedFile } from "./hostFiles";

const USAGE = "usage: npm run render -- --stack-file Pulumi.<stack>.yaml --out <dir>";

export function parseArgs(argv: string[]): { stackFile: string; out: string } {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stackFile = get("--stack-file");
  const out = get("--out");
  if (!stackFile || !out) throw new Error(USAGE);
  return { stackFile, out };
}

/** The stack file's plain config, `homelab-mail:` stripped; encrypted values (`secure:`) are left out. */
export function stackConfig(text: string): Record<string, unknown> {
  const doc = (parse(text) ?? {}) as { config?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config ?? {})
      .filter(([k, v]) => k.startsWith("homelab-mail:") && !(v && typeof v === "object" && "secure" in v))
      .map(([k, v]) => [k.slice("homelab-mail:".length), v]),
  );
}

export function render(
  stackText: string,
  env: Record<string, string | undefined>,
  out: string,
): RenderedFile[] {
  const config = validateConfig(stackConfig(stackText), new Set(SECRET_KEYS));
  const files = renderHostFiles(config, {
    gmailFetchmailPassword: env.gmailFetchmailPassword || undefined,
    gmailSmarthostPassword: env.gmailSmarthostPassword || undefined,
  });
  for (const f of files) {
    const target = path.join(out, f.file);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    fs.writeFileSync(target, f.text, { mode: f.mode });
    fs.chmodSync(target, f.mode);
  }
  const index = files.map((f) => `${f.file}\n  -> ${f.hostPath} (mode ${f.mode.toString(8)}): ${f.note}\n`);
  fs.writeFileSync(path.join(out, "INDEX.txt"), index.join(""));
  return files;
}

if (require.main === module) {
  try {
    const { stackFile, out } = parseArgs(process.argv.slice(2));
    const files = render(fs.readFileSync(stackFile, "utf8"), process.env, out);
    if (files.length === 0)
      console.log("nothing to render: the stack sets no homelab-mail:pmg.ssh or homelab-mail:fetchmail");
    for (const f of files) console.log(`${path.join(out, f.file)}  ->  ${f.hostPath}`);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : (e as Error).message);
    process.exit(1);
  }
}
