import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freshBuild } from "../../providers/build";
import { buildProviders } from "../../scripts/buildProviders";
import { PROJECT_ROOT } from "../harness/providerHost";

/** A checkout of the provider sources elsewhere, sharing node_modules. */
function checkout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-mail-build-"));
  for (const entry of ["providers", "lib"])
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
