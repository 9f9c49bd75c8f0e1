// @ts-check
/**
 * The implementation entry point the shim (providers/shim.ts) loads inside the provider host: the
 * shim requires `<project>/providers/host`, which Node resolves to this file before any .ts. Its
 * path and exports are part of every `__provider` in state: keep `configure` and `provider`.
 *
 * Plain JavaScript, so the first call compiles nothing (issue 15: ts-node cost seconds on the first
 * call of every `preview`, `up` and `refresh`). It loads the implementation (implementation.ts) as
 * `npm install` compiled it ahead of time into .build/providers/ (scripts/buildProviders.ts) when
 * every source it was compiled from is byte-identical to the checkout's, else the TypeScript itself
 * through the ts-node the shim registered. A stale compiled tree therefore never runs.
 */
"use strict";
const { freshBuild } = require("./build");

// Peak memory (issue 15): at 1000 accounts V8 grows the young generation to its maximum under the
// burst of short-lived request and response objects, and the host peaked at 320-340 MB, most of it
// young-generation space. Keeping it at its starting size (the flag is read each time V8 considers
// growing it, so it takes effect at run time, unlike --max-semi-space-size) keeps the peak near
// 200-270 MB at the same wall times (docs/bench.md). This process runs only this project's
// providers, so no one else's heap is affected. The engine starts the host, so no command-line flag
// could be passed instead.
try {
  require("node:v8").setFlagsFromString("--semi-space-growth-factor=1");
} catch {
  // A Node without the flag keeps its default sizing: correct, only larger.
}

const compiled = freshBuild();
const impl = compiled ? require(compiled) : require("./implementation.ts");

module.exports = { configure: impl.configure, provider: impl.provider };
