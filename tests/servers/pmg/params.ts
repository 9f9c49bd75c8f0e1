// Request parameter extraction as pve-http-server does it (AnyEvent.pm decode_urlencoded and
// extract_params): form or JSON body for POST/PUT, query parameters merged over the body, `_dc`
// dropped. Quirks kept: pairs split on '&' or ';', `k=v=w` keeps only `v`, `k=` (Perl's split drops
// the trailing empty field) and `k` give an undefined value, a repeated key gives an array.
import { PmgError } from "./errors";
import { perlNumStr } from "./perl";
import { JsonBool, type ParamValue, type Params } from "./schema-check";

function pctBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === "+") {
      bytes.push(0x20);
    } else {
      bytes.push(c.charCodeAt(0) & 0xff); // the raw request bytes (strings here are latin1)
    }
  }
  return Buffer.from(bytes);
}

export function decodeUrlencoded(data: string | undefined): Params {
  const res: Params = new Map();
  if (!data) return res;
  for (const kv of data.split(/[&;]/)) {
    const parts = kv.split("=");
    while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
    const k = pctBytes(parts[0] ?? "").toString("latin1");
    let v: ParamValue = null;
    if (parts[1] !== undefined) {
      v = pctBytes(parts[1]).toString("utf8");
      const old = res.get(k);
      if (old !== undefined && old !== null) v = Array.isArray(old) ? [...old, v] : [old, v];
    }
    res.set(k, v);
  }
  return res;
}

/** Converts decoded JSON into Perl-like parameter values (numbers stringified, null as undef). */
export function fromJson(value: unknown): ParamValue {
  if (value === null) return null;
  if (typeof value === "boolean") return new JsonBool(value);
  if (typeof value === "number") return perlNumStr(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(fromJson);
  const out: { [key: string]: ParamValue } = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fromJson(v);
  return out;
}

function malformed(body: string, err: unknown): PmgError {
  const offset = /position (\d+)/.exec(String(err))?.[1] ?? "0";
  const before = body.slice(Number(offset), Number(offset) + 20) || "(end of string)";
  return new PmgError(
    500,
    `malformed JSON string, neither tag, array, object, number, string or atom, at character offset ${offset} (before "${before}") at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 1133.\n`,
  );
}

/** extract_params: body (POST/PUT only) overlaid with the query string. Throws the 500 of a bad JSON body. */
export function extractParams(
  method: string,
  contentType: string | undefined,
  raw: Buffer,
  query: string,
): Params {
  let params: Params = new Map();
  if (method === "PUT" || method === "POST") {
    const ct = contentType?.split(/\s*[;,]\s*/)[0];
    if (ct === "application/json") {
      let parsed: unknown;
      const body = raw.toString("utf8");
      try {
        parsed = JSON.parse(body);
      } catch (e) {
        throw malformed(body, e);
      }
      if (parsed === null || typeof parsed !== "object") {
        throw new PmgError(
          500,
          "JSON text must be an object or array (but found number, string, true, false or null, use allow_nonref to allow this) at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 1133.\n",
        );
      }
      if (Array.isArray(parsed)) {
        throw new PmgError(
          500,
          "Not a HASH reference at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 1161.\n",
        );
      }
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) params.set(k, fromJson(v));
    } else {
      params = decodeUrlencoded(raw.toString("latin1"));
    }
  }
  for (const [k, v] of decodeUrlencoded(query)) params.set(k, v);
  params.delete("_dc");
  return params;
}
