/**
 * The naive clients' process runs as plain JavaScript: under ts-node it would carry the TypeScript
 * compiler (over 100 MB) in its peak memory, which a `curl` script never has. Their module graph
 * (relative imports only) is transpiled once into .cache/bench-worker/, mirroring the project's
 * layout so packages still resolve from node_modules.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "../..");
const OUT = path.join(ROOT, ".cache", "bench-worker");

/** Transpiles `entry` (a .ts file) and every .ts file it imports relatively; returns the entry's .js path. */
export function compileForNode(entry: string): string {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, "utf8");
    const js = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: file,
    }).outputText;
    const out = path.join(OUT, path.relative(ROOT, file)).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // Atomic: another benchmark (the smoke test) may be loading the same file right now.
    fs.writeFileSync(`${out}.${process.pid}`, js);
    fs.renameSync(`${out}.${process.pid}`, out);
    // Type-only imports are gone from the output: follow only what the JavaScript still requires.
    for (const m of js.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      visit(fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, "index.ts"));
    }
  };
  visit(path.resolve(entry));
  return path.join(OUT, path.relative(ROOT, path.resolve(entry))).replace(/\.ts$/, ".js");
}
