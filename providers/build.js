// @ts-check
/**
 * The compiled provider tree (.build/providers/, made by scripts/buildProviders.ts) and the one rule
 * for trusting it: every source it was compiled from is byte-identical to the checkout's (SHA-256
 * of each, listed in its manifest). Plain JavaScript with Node's own modules only, so the provider
 * host loads it without TypeScript (providers/host.js).
 */
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** @param {string | Buffer} text */
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/**
 * The compiled entry when the compiled tree matches the sources exactly, else undefined.
 * @param {string} [root] the checkout
 * @returns {string | undefined}
 */
function freshBuild(root = path.join(__dirname, "..")) {
  const build = path.join(root, ".build", "providers");
  try {
    const m = JSON.parse(fs.readFileSync(path.join(build, "manifest.json"), "utf8"));
    const entries = Object.entries(m.sources);
    if (entries.length === 0) return undefined;
    for (const [file, hash] of entries)
      if (sha256(fs.readFileSync(path.join(root, file))) !== hash) return undefined;
    return path.join(build, m.entry);
  } catch {
    return undefined;
  }
}

module.exports = { sha256, freshBuild };
