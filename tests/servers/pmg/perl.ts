// Small helpers that reproduce the Perl semantics PMG's validators and file parsers rely on.
//
// - Perl's `$` (without /m) matches at the very end or before a final "\n": `perlRe()` anchors a
//   pattern as `^(?:...)` + `(?=\n?$)`, so "example.com\n" passes exactly where PMG lets it pass.
// - Parameter values are character strings, so `\d` in JSONSchema checks matches any Unicode
//   decimal digit (`\p{Nd}`), while numeric comparison numifies ASCII digits only (`perlNum`).
// - IPv4/IPv6 regexes are those of pve-common (PVE::Tools / PVE::ParseUtils).

export const IPV4OCTET = "(?:25[0-5]|(?:2[0-4]|1[0-9]|[1-9])?[0-9])";
export const IPV4RE = `(?:(?:${IPV4OCTET}\\.){3}${IPV4OCTET})`;
const H16 = "(?:[0-9a-fA-F]{1,4})";
const LS32 = `(?:(?:${IPV4RE}|${H16}:${H16}))`;
export const IPV6RE =
  "(?:" +
  [
    `(?:(?:(?:${H16}:){6})${LS32})`,
    `(?:(?:::(?:${H16}:){5})${LS32})`,
    `(?:(?:(?:${H16})?::(?:${H16}:){4})${LS32})`,
    `(?:(?:(?:(?:${H16}:){0,1}${H16})?::(?:${H16}:){3})${LS32})`,
    `(?:(?:(?:(?:${H16}:){0,2}${H16})?::(?:${H16}:){2})${LS32})`,
    `(?:(?:(?:(?:${H16}:){0,3}${H16})?::(?:${H16}:){1})${LS32})`,
    `(?:(?:(?:(?:${H16}:){0,4}${H16})?::)${LS32})`,
    `(?:(?:(?:(?:${H16}:){0,5}${H16})?::)${H16})`,
    `(?:(?:(?:(?:${H16}:){0,6}${H16})?::))`,
  ].join("|") +
  ")";

/** Perl `\w` on character strings. */
export const PERL_WORD = "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]";

/** `m/^(?:src)$/` with Perl's end-of-string rule. */
export function perlRe(src: string, flags = ""): RegExp {
  return new RegExp(`^(?:${src})(?=\\n?$)`, flags);
}

/** PVE::JSONSchema::is_integer: `^[+-]?\d+$` on a character string. */
export function isInteger(value: string): boolean {
  return /^[+-]?\p{Nd}+\n?$/u.test(value);
}

/** PVE::JSONSchema::is_number. */
export function isNumber(value: string): boolean {
  return /^[+-]?(?:\p{Nd}+\.\p{Nd}+|\p{Nd}+\.|\.\p{Nd}+|\p{Nd}+)(?:[eE][+-]?\p{Nd}+)?\n?$/u.test(value);
}

/** Perl numification of a string: leading whitespace, then the longest ASCII numeric prefix, else 0. */
export function perlNum(value: string | number): number {
  if (typeof value === "number") return value;
  const m = /^[ \t\n\r\f\v]*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(value);
  if (m) return Number(m[1]);
  const inf = /^[ \t\n\r\f\v]*([+-]?)(inf(?:inity)?|nan)/i.exec(value);
  if (inf) return inf[2].toLowerCase() === "nan" ? NaN : inf[1] === "-" ? -Infinity : Infinity;
  return 0;
}

/** Perl truthiness of a scalar ('' and '0' and undef are false). */
export function perlTrue(value: string | number | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === "number") return value !== 0;
  return value !== "" && value !== "0";
}

/** Perl's stringification of a number (%.15g for non-integers). */
export function perlNumStr(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "Inf" : "-Inf";
  let s = n.toPrecision(15);
  if (s.includes("e")) {
    let [mant, exp] = s.split("e");
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const e = Number(exp);
    return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/** PVE::Tools::split_list (PVE::ParseUtils in newer pve-common). */
export function splitList(text: string | null | undefined): string[] {
  const t = text ?? "";
  if (t.includes("\0")) return dropTrailingEmpty(t.split("\0"));
  const spaced = t.replace(/[,;]/g, " ").replace(/^\s+/, "");
  if (spaced === "") return [];
  return dropTrailingEmpty(spaced.split(/\s+/));
}

/** Perl's split drops trailing empty fields. */
export function dropTrailingEmpty(parts: string[]): string[] {
  const out = [...parts];
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** Perl `sort keys`: string comparison (UTF-8 byte order equals code point order). */
export function perlSort(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

/** Perl `length` on a character string (code points). */
export function perlLength(value: string): number {
  return [...value].length;
}
