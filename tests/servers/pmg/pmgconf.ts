// /etc/pmg/pmg.conf as PVE::SectionConfig writes and parses it (pve-common SectionConfig.pm
// write_config/parse_config/check_value, with PMG's "section: <type>" header from Config.pm).
// Sections are kept in file order; values are what check_value returns (numbers for integer and
// boolean options, strings otherwise). Sections other than those with a known schema are kept raw.
import { createHash } from "node:crypto";
import { checkProp, type ParamErrors, type PropSchema } from "./schema-check";
import { perlNum, perlNumStr, perlRe, perlSort, perlTrue } from "./perl";

export type SectionValue = string | number;
export type Section = Map<string, SectionValue>;
export type PmgConf = Map<string, Section>;
/** Option schemas per known section type (mail, admin). */
export type SectionSchemas = Record<string, Record<string, PropSchema>>;

export class ConfigError extends Error {}

function formatLine(schema: PropSchema | undefined, key: string, value: SectionValue): string {
  const v = typeof value === "number" ? perlNumStr(value) : value;
  if (/[\n\r]/.test(key) || /[\n\r]/.test(v))
    throw new ConfigError(`property '${key}' contains a line feed\n`);
  if (schema?.type === "boolean") return `\t${key} ${perlTrue(value) ? 1 : 0}\n`;
  return v !== "" ? `\t${key} ${v}\n` : "";
}

export function writePmgConf(conf: PmgConf, schemas: SectionSchemas): string {
  let out = "";
  for (const [id, section] of conf) {
    let data = `section: ${id}\n`;
    const opts = schemas[id];
    const keys = opts ? perlSort(Object.keys(opts)) : perlSort(section.keys());
    for (const key of keys) {
      const value = section.get(key);
      if (value === undefined) continue;
      data += formatLine(opts?.[key], key, value);
    }
    out += `${data}\n`;
  }
  return out;
}

/** SectionConfig::check_value; `skipSchemaCheck` as in the PUT path (check_config(..., 0, 1)). */
export function checkValue(
  schema: PropSchema,
  key: string,
  value: string | null,
  skipSchemaCheck: boolean,
): SectionValue {
  let v = value;
  if (schema.type === "boolean" && v === null) v = "1";
  if (v === null) throw new ConfigError("got undefined value\n");
  if (/[\n\r]/.test(v)) throw new ConfigError("property contains a line feed\n");
  if (!skipSchemaCheck) {
    const errors: ParamErrors = {};
    checkProp(key, v, schema, errors, { jsonBooleans: false });
    if (errors[key] !== undefined) throw new ConfigError(`${errors[key]}\n`);
  }
  if (schema.type === "boolean" || schema.type === "integer" || schema.type === "number") return perlNum(v);
  return v;
}

const HEADER = /^section:\s*(\S+)\s*$/;
const CONFIGID = perlRe("[a-z][a-z0-9_-]+", "i");
const KNOWN_TYPES = new Set(["admin", "mail", "spam", "spamquar", "virusquar", "clamav"]);

export function parsePmgConf(raw: string, schemas: SectionSchemas): PmgConf {
  const conf: PmgConf = new Map();
  const lines = raw.split("\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const next = (): string | undefined => {
    let line: string | undefined;
    while ((line = lines.shift()) !== undefined) if (!/^\s*#/.test(line)) return line;
    return undefined;
  };
  while (lines.length > 0) {
    const line = next();
    if (!perlTrue(line)) continue;
    const h = HEADER.exec(line as string);
    if (!h) continue; // "ignore config line"
    const id = h[1];
    const skip = !CONFIGID.test(id) || !KNOWN_TYPES.has(id);
    const section: Section = new Map();
    let body: string | undefined;
    while (perlTrue((body = next()))) {
      if (skip) continue;
      const m = /^\s+(\S+)(\s+(.*\S))?\s*$/.exec(body as string);
      if (!m) continue;
      const [key, value] = [m[1], m[3] ?? null];
      const opts = schemas[id];
      if (!opts) {
        if (!section.has(key) && value !== null) section.set(key, value);
        continue;
      }
      try {
        if (!opts[key]) throw new ConfigError(`unexpected property '${key}'\n`);
        if (section.has(key)) throw new ConfigError("duplicate attribute\n");
        section.set(key, checkValue(opts[key], key, value, false));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e; // otherwise: "unable to parse value" warning, value dropped
      }
    }
    if (!skip) conf.set(id, section);
  }
  return conf;
}

export function sha1Hex(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}
