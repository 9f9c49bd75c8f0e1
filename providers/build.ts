/**
 * The compiled provider tree (.build/providers/, made by scripts/buildProviders.ts) and the one
 * rule for trusting it: every source it was compiled from is byte-identical to the checkout's.
 * Only Node's own modules here: providers/host.ts loads this before anything else.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

export interface Manifest {
  /** The compiled entry, relative to BUILD. */
  readonly entry: string;
  /** Every source compiled, relative to ROOT, with the SHA-256 (hex) of its text. */
  readonly sources: Record<string, string>;
}

export const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/** The compiled entry when the compiled tree matches the sources exactly, else undefined. */
export function freshBuild(root = ROOT, build = path.join(root, ".build", "providers")): string | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(build, "manifest.json"), "utf8")) as Manifest;
    const entries = Object.entries(m.sources);
    if (entries.length === 0) return undefined;
    for (const [file, hash] of entries)
      if (sha256(fs.readFileSync(path.join(root, file))) !== hash) return undefined;
    return path.join(build, m.entry);
  } catch {
    return undefined;
  }
}
