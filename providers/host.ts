/**
 * The implementation entry point the shim (providers/shim.ts) loads inside the provider host. Its
 * path and exports are part of every `__provider` in state: keep `configure` and `provider`.
 *
 * The shim has ts-node compile what it loads, which costs seconds on the first call of every
 * `preview`, `up` and `refresh` (issue 15). So this file only picks the implementation
 * (implementation.ts): the JavaScript `npm install` compiled ahead of time into .build/providers/
 * (scripts/buildProviders.ts) when every source it was compiled from is byte-identical to the
 * checkout's (SHA-256 of each, listed in its manifest), else the TypeScript itself. A stale
 * compiled tree therefore never runs: an edit to any file it came from sends the host to ts-node.
 */
import { freshBuild } from "./build";
import type * as implementation from "./implementation";

const compiled = freshBuild();
const impl: typeof implementation = compiled ? require(compiled) : require("./implementation");

export const configure = impl.configure;
export const provider = impl.provider;
