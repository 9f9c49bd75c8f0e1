// Produces `__provider` texts exactly as a real `pulumi up` would, for tests to hand to the host.
//
// Why a child process, and why ts-node:
//   - `pulumi up` compiles the program with ts-node using the project's tsconfig.json
//     (node_modules/@pulumi/pulumi/cmd/run/run.js), and the text is compiled JS, so the compiler
//     and its options are part of the text (reference §4, "What changes the text"). ts-jest
//     compiles differently and would give different texts.
//   - closure serialization inspects functions through the V8 inspector and walks module
//     objects; inside jest's vm sandbox both see jest's module wrappers instead of Node's.
//   - local modules are inlined or required depending on their path relative to the cwd
//     (reference §2, `createClosure.ts:1395`), so the child runs with cwd = project root, the
//     directory the engine runs the program in (§4b).
// transpile-only: Pulumi type-checks unless tsconfig says noCheck, but checking changes no emitted
// JS for this project (no const enums across files), and skipping it keeps this fast.
// Nothing here masks compiler errors: ts-node reports tsconfig option errors even when
// transpiling only, and `pulumi up` would fail on them the same way (with TS 6 that is what
// tsconfig's "ignoreDeprecations" and "rootDir" are for: TS5107 and TS5011).
import { execFile } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "./hostProcess";
import { RESULT_MARKER } from "./serializeChild";

const CHILD = path.join(__dirname, "serializeChild.ts");
const TIMEOUT_MS = 60_000;

export interface SerializeOptions {
  /** Directory the program would run in (default: project root). */
  cwd?: string;
}

/**
 * Serializes the ResourceProvider exports of `modulePath` (absolute, or relative to the project
 * root) and returns export name -> `__provider` text. See serializeChild.ts for which exports
 * count as providers: named exports with a `create` method, or the map from `providers()`.
 */
export async function serializeProviders(
  modulePath: string,
  exportNames: string[] = [],
  opts: SerializeOptions = {},
): Promise<Record<string, string>> {
  const cwd = opts.cwd ?? PROJECT_ROOT;
  const target = path.resolve(PROJECT_ROOT, modulePath);
  const args = ["-r", "ts-node/register/transpile-only", CHILD, target, ...exportNames];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      // The caller's env passes through, TS_NODE_* included, as it does to `pulumi up`.
      { cwd, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (err, out, errOut) =>
        err
          ? reject(new Error(`serializeProviders(${modulePath}) failed: ${err.message}\n${errOut}`))
          : resolve(out),
    );
  });
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
  if (!line) throw new Error(`serializeProviders(${modulePath}): no result line in child output:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as Record<string, string>;
}
