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

const compiled = freshBuild();
const impl = compiled ? require(compiled) : require("./implementation.ts");

module.exports = { configure: impl.configure, provider: impl.provider };
