/**
 * The real fetchmail and postmap from Debian, run on this machine against files in a private
 * temporary directory (never /etc), for the pure rendering tests.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfigDump, type DumpedRc } from "../../../providers/pmghost/configDump";

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pmghost-tools-"));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What the real fetchmail reads from `text`; throws with fetchmail's message when it rejects it. */
export function fetchmailDump(text: string): DumpedRc {
  return withTempDir((dir) => {
    const rc = path.join(dir, "fetchmailrc");
    fs.writeFileSync(rc, text, { mode: 0o600 });
    const r = spawnSync("fetchmail", ["--configdump", "-f", rc], {
      encoding: "utf8",
      env: { ...process.env, HOME: dir },
    });
    if (r.status !== 0) throw new Error(`fetchmail rejected the file (exit ${r.status}): ${r.stderr}`);
    return parseConfigDump(r.stdout);
  });
}

/** The real postmap's answer for `key` in a hash map built from `text` (undefined: no entry). */
export function postmapQuery(text: string, keys: string[]): (string | undefined)[] {
  return withTempDir((dir) => {
    fs.writeFileSync(path.join(dir, "main.cf"), "compatibility_level = 2\n");
    // Postfix waits out the second in which main.cf last changed; a main.cf from the past spares that wait.
    fs.utimesSync(path.join(dir, "main.cf"), new Date(Date.now() - 5000), new Date(Date.now() - 5000));
    const map = path.join(dir, "sasl_passwd");
    fs.writeFileSync(map, text, { mode: 0o600 });
    execFileSync("postmap", ["-c", dir, `hash:${map}`]);
    return keys.map((key) => {
      const r = spawnSync("postmap", ["-c", dir, "-q", key, `hash:${map}`], { encoding: "utf8" });
      return r.status === 0 ? r.stdout.replace(/\n$/, "") : undefined;
    });
  });
}
