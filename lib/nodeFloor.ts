/**
 * The oldest Node.js this program runs on, checked before anything else loads. index.ts imports
 * this module first, and it imports nothing itself: on an older Node the program stops with one
 * line (found, needed, how to fix) instead of a stack trace from deep inside a dependency.
 *
 * The floor is the newest `engines.node` floor among the runtime dependencies in package-lock.json
 * (tests/nodeFloor.test.ts recomputes it): undici 8 declares `>=22.19.0`, and on Node 20 or 22.14
 * loading it fails with `TypeError: Cannot read properties of undefined (reading 'bind')` in its
 * decompress interceptor. package.json `engines.node` and scripts/with-node.sh state the same floor.
 */
export const NODE_FLOOR = "22.19.0";

function parts(version: string): number[] {
  return version
    .replace(/^v/, "")
    .split(/[.+-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
}

/** Whole-version comparison: major, then minor, then patch. */
export function isAtLeast(found: string, needed: string): boolean {
  const [a, b] = [parts(found), parts(needed)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** The one-line refusal, or undefined when `found` is new enough. */
export function nodeProblem(found: string): string | undefined {
  if (isAtLeast(found, NODE_FLOOR)) return undefined;
  return (
    `homelab-mail: Node.js ${found} is too old; it needs Node.js >= ${NODE_FLOOR} (package.json "engines"). ` +
    `Install Node.js ${NODE_FLOOR.split(".")[0]} LTS (>= ${NODE_FLOOR}) or newer and put it first on PATH, ` +
    `or run through scripts/with-node.sh.`
  );
}

const problem = nodeProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
