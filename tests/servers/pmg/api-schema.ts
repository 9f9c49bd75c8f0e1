// Loads schema.json (api_dump of pmg-api 9.1.0, see its `source`) and derives the schema of an
// older PMG by undoing the `version_deltas` whose `to` version is newer than the emulated one.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ObjectSchema, PropSchema } from "./schema-check";

export type PmgVersion = 7 | 8 | 9;

export interface Permissions {
  check?: string[];
  user?: string;
  description?: string;
}

export interface MethodInfo {
  method: string;
  name: string;
  parameters?: ObjectSchema;
  permissions?: Permissions;
  protected?: number;
  returns?: unknown;
}

interface Endpoint {
  path: string;
  method: string;
  info: MethodInfo;
}

interface Delta {
  change: string;
  from: string;
  to: string;
  method: string;
  path: string;
  schema?: PropSchema;
  diff?: Record<string, [unknown, unknown]>;
}

interface SchemaFile {
  endpoints: Endpoint[];
  version_deltas: Delta[];
}

/** The package version each emulated major reports (see /version). */
export const PACKAGE_VERSION: Record<PmgVersion, string> = { 7: "7.3-4", 8: "8.3.1", 9: "9.1.0" };

function versionTuple(v: string): number[] {
  return v.split(/[.-]/).map((x) => Number(x));
}

export function versionLess(a: string, b: string): boolean {
  const x = versionTuple(a);
  const y = versionTuple(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

let cachedFile: SchemaFile | undefined;

function readSchemaFile(): SchemaFile {
  cachedFile ??= JSON.parse(fs.readFileSync(path.join(__dirname, "schema.json"), "utf8")) as SchemaFile;
  return cachedFile;
}

export type SchemaIndex = Map<string, MethodInfo>;

/** Method infos keyed by "METHOD /path/{param}", as the emulated version has them. */
export function loadSchema(version: PmgVersion): SchemaIndex {
  const file = readSchemaFile();
  const index: SchemaIndex = new Map();
  for (const ep of file.endpoints) {
    index.set(`${ep.method} ${ep.path}`, structuredClone(ep.info));
  }
  const emulated = PACKAGE_VERSION[version];
  for (const delta of file.version_deltas) {
    if (!versionLess(emulated, delta.to)) continue;
    const info = index.get(`${delta.method} ${delta.path}`);
    const m = /^parameters\.(\S+) (added|changed)$/.exec(delta.change);
    if (!info || !m || !info.parameters?.properties) continue;
    const props = info.parameters.properties;
    if (m[2] === "added") {
      delete props[m[1]];
    } else if (props[m[1]] && delta.diff) {
      const prop = props[m[1]] as Record<string, unknown>;
      for (const [field, [before]] of Object.entries(delta.diff)) {
        if (before === null) delete prop[field];
        else prop[field] = before;
      }
    }
  }
  return index;
}

/** Option keys of a pmg.conf section (the PUT schema minus `delete` and `digest`). */
export function sectionOptions(index: SchemaIndex, section: string): Record<string, PropSchema> {
  const props = { ...(index.get(`PUT /config/${section}`)?.parameters?.properties ?? {}) };
  delete props.delete;
  delete props.digest;
  return props;
}
