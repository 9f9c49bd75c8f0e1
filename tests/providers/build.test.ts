import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freshBuild } from "../../providers/build";
import { buildProviders } from "../../scripts/buildProviders";
import { PROJECT_ROOT } from "../harness/providerHost";

/** A checkout of the provider sources elsewhere, sharing node_modules. */
function checkout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-mail-build-"));
  for (const entry of ["providers", "lib", "tsconfig.json", "package.json"])
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

describe("the providers compiled ahead of time", () => {
  let dir: string;
  beforeEach(() => {
    dir = checkout();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("compiles the implementation and everything it imports, and loads as the host would", () => {
    const m = buildProviders(dir);
    expect(Object.keys(m.sources)).toEqual(
      expect.arrayContaining([
        "providers/implementation.ts",
        "providers/registry.ts",
        "providers/stalwart/principal.ts",
        "providers/stalwart/passwords.ts",
        "lib/validate.ts",
      ]),
    );
    const entry = freshBuild(dir);
    expect(entry).toBe(path.join(dir, ".build", "providers", "providers", "implementation.js"));
    const impl = require(entry!) as Record<string, unknown>;
    expect(typeof impl.configure).toBe("function");
    expect(typeof impl.provider).toBe("function");
  });

  /**
   * What the provider host loads: the shim's own first step (ts-node registered), then providers/host;
   * `typescript`: whether any of the checkout's .ts files was compiled on the way.
   */
  const hostLoads = (cwd: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          "-e",
          `require("ts-node").register({ transpileOnly: true });
           const t = performance.now();
           const host = require(require("path").join(process.cwd(), "providers", "host"));
           const ms = performance.now() - t;
           const keys = Object.keys(require.cache);
           process.stdout.write(JSON.stringify({
             compiled: keys.some((k) => k.includes("/.build/providers/")),
             typescript: keys.some((k) => k.startsWith(process.cwd()) && k.endsWith(".ts")),
             exports: Object.keys(host).sort(),
             ms,
           }));`,
        ],
        { cwd, encoding: "utf8" },
      ),
    ) as { compiled: boolean; typescript: boolean; exports: string[]; ms: number };

  it("lets the host load the compiled tree without TypeScript, and the sources through ts-node once stale", () => {
    buildProviders(dir);
    const fast = hostLoads(dir);
    expect(fast).toMatchObject({ compiled: true, typescript: false, exports: ["configure", "provider"] });
    const file = path.join(dir, "providers", "registry.ts");
    fs.writeFileSync(file, `${fs.readFileSync(file, "utf8")}\n// edited\n`);
    const slow = hostLoads(dir);
    expect(slow).toMatchObject({ compiled: false, typescript: true, exports: ["configure", "provider"] });
  });

  it("is never used once any source it came from changed, disappeared, or without a manifest", () => {
    buildProviders(dir);
    expect(freshBuild(dir)).toBeDefined();
    const file = path.join(dir, "lib", "validate.ts");
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, `${text}\n`);
    expect(freshBuild(dir)).toBeUndefined();
    fs.writeFileSync(file, text);
    expect(freshBuild(dir)).toBeDefined();
    fs.rmSync(path.join(dir, "providers", "stalwart", "jmapBatch.ts"));
    expect(freshBuild(dir)).toBeUndefined();
    // jmap.ts still imports it: no build, and the previous one stays stale.
    expect(() => buildProviders(dir)).toThrow(/requires \.\/jmapBatch, which does not exist/);
    expect(freshBuild(dir)).toBeUndefined();
    fs.rmSync(path.join(dir, ".build", "providers", "manifest.json"));
    expect(freshBuild(dir)).toBeUndefined();
  });
});
