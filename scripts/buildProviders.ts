/**
 * `npm run build` (run by `npm install`, `npm test` and `npm run bench`): compiles the provider
 * host's implementation (providers/implementation.ts and every .ts file it imports relatively) to
 * JavaScript in .build/providers/, mirroring the project's layout so packages still resolve from
 * node_modules, with a manifest of each source's SHA-256. providers/host.ts loads it only while
 * every source is unchanged. The tree is built aside and swapped in whole, so a host never sees half.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { sha256, type Manifest } from "../providers/build";

export function buildProviders(root: string): Manifest {
  const out = path.join(root, ".build", "providers");
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const sources: Record<string, string> = {};
  const visit = (file: string) => {
    const rel = path.relative(root, file);
    if (rel in sources) return;
    const source = fs.readFileSync(file, "utf8");
    sources[rel] = sha256(source);
    const js = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: file,
    }).outputText;
    const target = path.join(tmp, rel).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, js);
    // Type-only imports are gone from the output: follow only what the JavaScript still requires.
    for (const m of js.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
      const dep = path.resolve(path.dirname(file), m[1]);
      if (fs.existsSync(`${dep}.ts`)) visit(`${dep}.ts`);
      else if (fs.existsSync(path.join(dep, "index.ts"))) visit(path.join(dep, "index.ts"));
      else if (!fs.existsSync(dep) && !fs.existsSync(`${dep}.js`) && !fs.existsSync(`${dep}.json`))
        throw new Error(`build: ${rel} requires ${m[1]}, which does not exist`);
    }
  };
  // Files the providers read at run time beside their code (providers/pmghost/scripts/*, found
  // through __dirname) travel with the compiled tree, and are in the manifest so a changed one makes
  // the tree stale like a changed source.
  const copyAssets = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) copyAssets(file);
      else if (entry.isFile() && !/\.(ts|js)$/.test(entry.name)) {
        const rel = path.relative(root, file);
        const bytes = fs.readFileSync(file);
        sources[rel] = sha256(bytes);
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
        fs.writeFileSync(path.join(tmp, rel), bytes, { mode: fs.statSync(file).mode & 0o777 });
      }
    }
  };
  try {
    visit(path.join(root, "providers", "implementation.ts"));
    copyAssets(path.join(root, "providers"));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const manifest: Manifest = { entry: "providers/implementation.js", sources };
  fs.writeFileSync(path.join(tmp, "manifest.json"), JSON.stringify(manifest, null, 1));
  const old = `${out}.old-${process.pid}`;
  if (fs.existsSync(out)) fs.renameSync(out, old);
  fs.renameSync(tmp, out);
  fs.rmSync(old, { recursive: true, force: true });
  return manifest;
}

if (require.main === module) {
  const m = buildProviders(path.join(__dirname, ".."));
  process.stdout.write(
    `build: ${Object.keys(m.sources).length} provider sources compiled to .build/providers\n`,
  );
}
