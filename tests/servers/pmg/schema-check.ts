// Parameter validation as PVE::JSONSchema::validate does it (pve-common src/PVE/JSONSchema.pm:
// check_object / check_prop / check_type), driven by the `info.parameters` of schema.json.
//
// Values are Perl-like: a string, null (undef: a form key without "=", or JSON null), a JSON
// boolean (JsonBool, a JSON::PP::Boolean object in Perl), an array or a hash. JSON numbers are
// stringified before they get here, as Perl does. Errors are keyed by parameter name; each text is
// exactly what the real server puts into `errors`.
import { checkFormat } from "./formats";
import { isInteger, isNumber, perlLength, perlNum, perlRe, perlTrue } from "./perl";

export class JsonBool {
  constructor(readonly value: boolean) {}
  toString(): string {
    return this.value ? "1" : "0";
  }
}

export type ParamValue = string | null | JsonBool | ParamValue[] | { [key: string]: ParamValue };
/** Request parameters in arrival order; a null value means "present but undefined". */
export type Params = Map<string, ParamValue>;

export interface PropSchema {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  optional?: number | boolean;
  default?: unknown;
  description?: string;
  typetext?: string;
}

export interface ObjectSchema {
  type?: string;
  properties?: Record<string, PropSchema>;
  additionalProperties?: number | boolean;
}

export interface CheckOptions {
  /** pve-common >= 8.0.4 (fix #4778) accepts JSON true/false for boolean parameters. */
  jsonBooleans: boolean;
}

export type ParamErrors = Record<string, string>;

function perlRef(value: ParamValue): string {
  if (value instanceof JsonBool) return "JSON::PP::Boolean";
  if (Array.isArray(value)) return "ARRAY";
  if (value !== null && typeof value === "object") return "HASH";
  return "";
}

/** Translates a schema `pattern` (a Perl regex) into an anchored JS RegExp (`m/^$pattern$/`). */
export function schemaPattern(pattern: string): RegExp {
  const src = pattern
    .replace(/\\p\{PosixPrint\}/g, "[\\x20-\\x7E]")
    .replace(/(\\.)|\$/g, (m, esc: string | undefined) => esc ?? "(?=\\n?$)");
  return perlRe(src);
}

function add(errors: ParamErrors, path: string, msg: string): void {
  // add_error joins repeated errors with a literal backslash-n (single-quoted '\n' in Perl)
  errors[path] = errors[path] !== undefined ? `${errors[path]}\\n${msg}` : msg;
}

function checkType(
  path: string,
  type: string,
  value: ParamValue,
  errors: ParamErrors,
  o: CheckOptions,
): boolean {
  const vt = perlRef(value);
  if (type === "array" || type === "object") {
    if (vt !== (type === "array" ? "ARRAY" : "HASH")) {
      add(errors, path, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (type === "any") return true;
  if (vt !== "") {
    if (type === "boolean" && value instanceof JsonBool && o.jsonBooleans) return true;
    add(errors, path, `type check ('${type}') failed - got ${vt}`);
    return false;
  }
  const s = value as string;
  const ok =
    type === "boolean"
      ? s === "1" || s === "0"
      : type === "integer"
        ? isInteger(s)
        : type === "number"
          ? isNumber(s)
          : true;
  if (!ok) add(errors, path, `type check ('${type}') failed - got '${s}'`);
  return ok;
}

/** PVE::JSONSchema::check_prop for one (top-level) parameter. */
export function checkProp(
  path: string,
  value: ParamValue,
  schema: PropSchema,
  errors: ParamErrors,
  o: CheckOptions,
): void {
  if (value === null) {
    if (schema.type === "null") return;
    if (!perlTrue(schema.optional === undefined ? undefined : Number(schema.optional))) {
      add(errors, path, "property is missing and it is not optional");
    }
    return;
  }
  if (schema.type && !checkType(path, schema.type, value, errors, o)) return;
  if (perlRef(value) !== "") return; // arrays/hashes/booleans: no format, pattern or range checks
  const s = value as string;
  if (schema.format) {
    const err = checkFormat(schema.format, s);
    if (err !== null) return add(errors, path, `invalid format - ${err}`);
  }
  if (schema.pattern !== undefined && !schemaPattern(schema.pattern).test(s)) {
    return add(errors, path, "value does not match the regex pattern");
  }
  if (schema.maxLength !== undefined && perlLength(s) > schema.maxLength) {
    return add(errors, path, `value may only be ${schema.maxLength} characters long`);
  }
  if (schema.minLength !== undefined && perlLength(s) < schema.minLength) {
    return add(errors, path, `value must be at least ${schema.minLength} characters long`);
  }
  if (isNumber(s)) {
    if (schema.maximum !== undefined && perlNum(s) > schema.maximum) {
      return add(errors, path, `value must have a maximum value of ${schema.maximum}`);
    }
    if (schema.minimum !== undefined && perlNum(s) < schema.minimum) {
      return add(errors, path, `value must have a minimum value of ${schema.minimum}`);
    }
  }
  if (schema.enum && !schema.enum.includes(s)) {
    add(errors, path, `value '${s}' does not have a value in the enumeration '${schema.enum.join(", ")}'`);
  }
}

/**
 * PVE::RESTHandler's normalize_legacy_param_formats (pve-common 8.x): a repeated form key gives an
 * array; for a string with a `-list` format the array is joined with ','.
 */
export function normalizeLegacyLists(params: Params, schema: ObjectSchema): void {
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const value = params.get(key);
    if (Array.isArray(value) && prop.type === "string" && /-list$/.test(prop.format ?? "")) {
      params.set(key, value.map((v) => (v === null ? "" : String(v))).join(","));
    }
  }
}

/** PVE::JSONSchema::validate(params, schema): null when valid, else the `errors` object. */
export function checkParams(params: Params, schema: ObjectSchema, o: CheckOptions): ParamErrors | null {
  const errors: ParamErrors = {};
  const props = schema.properties ?? {};
  for (const [key, prop] of Object.entries(props)) {
    checkProp(key, params.has(key) ? (params.get(key) as ParamValue) : null, prop, errors, o);
  }
  const additional = schema.additionalProperties;
  for (const key of params.keys()) {
    if (Object.prototype.hasOwnProperty.call(props, key)) continue;
    if (additional !== undefined && !perlTrue(Number(additional))) {
      add(
        errors,
        key,
        "property is not defined in schema and the schema does not allow additional properties",
      );
    }
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** RESTHandler's untaint step: after validation every scalar is a plain string (JSON booleans → "1"/"0"). */
export function untaint(params: Params): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const [k, v] of params)
    out.set(k, v === null ? null : perlRef(v) === "" || v instanceof JsonBool ? String(v) : null);
  return out;
}
