// Child-process half of serialize.ts. Run as
//   node -r ts-node/register/transpile-only tests/harness/serializeChild.ts <module> [exportName...]
// with cwd = project root. It loads <module> (compiled by ts-node, as `pulumi up` compiles the
// program) and prints one marked line: a JSON map of export name -> `__provider` text.
//
// Which exports count as providers:
//   - if the module exports a function `providers`, its return value (a name -> provider map);
//   - otherwise every export whose value is an object with a `create` function, keyed by export name.
// With exportNames, only those names, and a missing name is an error.
import * as path from "path";

export const RESULT_MARKER = "__HARNESS_SERIALIZED_PROVIDERS__ ";

type Provider = { create: (...args: unknown[]) => unknown };

function isProvider(value: unknown): value is Provider {
  return value !== null && typeof value === "object" && typeof (value as Provider).create === "function";
}

function collect(mod: Record<string, unknown>, names: string[]): Record<string, Provider> {
  const source: Record<string, unknown> =
    typeof mod.providers === "function" ? (mod.providers as () => Record<string, unknown>)() : mod;
  const found: Record<string, Provider> = {};
  for (const [name, value] of Object.entries(source)) {
    if (isProvider(value) && (names.length === 0 || names.includes(name))) found[name] = value;
  }
  const missing = names.filter((n) => !(n in found));
  if (missing.length) throw new Error(`no ResourceProvider export named ${missing.join(", ")}`);
  if (Object.keys(found).length === 0) throw new Error("module exports no ResourceProvider");
  return found;
}

// The same call `dynamic.Resource` makes (node_modules/@pulumi/pulumi/dynamic/index.js,
// serializeFunctionMaybeSecret). The captured variable must be named `provider`: its name is part
// of the text, and only then is the text byte-identical to the program's (reference §1, end).
async function serializeOne(provider: Provider): Promise<string> {
  // Loaded lazily, as dynamic/index.js does, and from the project's own @pulumi/pulumi.
  const sc: typeof import("@pulumi/pulumi/runtime/closure/serializeClosure") = require("@pulumi/pulumi/runtime/closure/serializeClosure");
  const sf = await sc.serializeFunction(() => provider, { allowSecrets: true });
  return sf.text;
}

async function main(argv: string[]): Promise<void> {
  const [modulePath, ...names] = argv;
  if (!modulePath) throw new Error("usage: serializeChild.ts <module> [exportName...]");
  const mod = require(path.resolve(process.cwd(), modulePath)) as Record<string, unknown>;
  const out: Record<string, string> = {};
  // Sequential, like the program's own resource registrations in one process.
  for (const [name, provider] of Object.entries(collect(mod, names))) {
    out[name] = await serializeOne(provider);
  }
  // A marker, because the module under test may itself print to stdout while it loads.
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  });
}
