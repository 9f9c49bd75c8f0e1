// What happens to a request's parameters when pmgproxy hands a protected call to pmgdaemon
// (PMG::HTTPServer rest_handler: `$info->{protected} && $euid != 0` -> `proxy => 'localhost'`).
//
// pve-http-server before 5.0.2 (every PMG 7) re-encodes the parameters as a form whatever the
// client sent: AnyEvent.pm proxy_request, `$url->query_form(%$params); $content = $url->query`
// (libpve-http-server-perl 4.2-3). pmgdaemon decodes that with decode_urlencoded, where
// `my ($k, $v) = split(/=/, $kv)` leaves $v undef for `comment=`. So a JSON "" arrives as undef: a
// required parameter fails "property is missing", an optional one reads as not given. JSON booleans
// become "1"/"0" (JSON::PP::Boolean stringifies through its numeric overload). From 5.0.2 (commit
// f398a3d "proxy request: forward json content type and parameters", changelog 2023-06-07) a JSON
// request is forwarded as JSON and nothing changes.
import { decodeUrlencoded } from "./params";
import { JsonBool, type ParamValue, type Params } from "./schema-check";

/** libpve-http-server-perl by PMG major version, as its apt repository ships it today. */
export const DEFAULT_HTTP_SERVER: Record<7 | 8 | 9, string> = { 7: "4.2-3", 8: "5.2.2", 9: "6.0.5" };

function parts(v: string): number[] {
  return v.split(/[.-]/).map(Number);
}

/** Whether `version` (e.g. "5.2.0" or "4.2-3") is at least `floor`. */
export function atLeast(version: string, floor: string): boolean {
  const a = parts(version);
  const b = parts(floor);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** JSON errors carry `message` from 5.2.0 (commit 9a2112e, "fix #6503: return api handler errors in the json body"). */
export function jsonErrorsHaveMessage(httpServer: string): boolean {
  return atLeast(httpServer, "5.2.0");
}

/** Whether a JSON body reaches pmgdaemon re-encoded as a form. */
export function reencodesJson(httpServer: string): boolean {
  return !atLeast(httpServer, "5.0.2");
}

function formValue(v: ParamValue): string {
  if (v === null) return ""; // query_form: `$val = '' unless defined $val`
  if (v instanceof JsonBool) return v.toString();
  if (typeof v === "string") return v;
  return "HASH(0x55d0c0ffee00)"; // a nested object stringifies as a Perl reference
}

/** query_form(%$params) on pmgproxy, then decode_urlencoded on pmgdaemon. */
export function formRoundTrip(params: Params): Params {
  const pairs: string[] = [];
  for (const [k, v] of params) {
    for (const item of Array.isArray(v) ? v : [v])
      pairs.push(`${encodeURIComponent(k)}=${encodeURIComponent(formValue(item))}`);
  }
  return decodeUrlencoded(Buffer.from(pairs.join("&"), "utf8").toString("latin1"));
}
