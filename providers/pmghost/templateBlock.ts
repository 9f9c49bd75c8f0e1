/**
 * The managed block in PMG's main.cf template override. PMG renders /etc/pmg/templates/main.cf.in
 * (when present, else the packaged /var/lib/pmg/templates/main.cf.in) with Template Toolkit into
 * /etc/postfix/main.cf. The block is appended, as the hand-made setup did: in main.cf the last
 * definition of a parameter wins, so the block overrides anything the template set earlier.
 * Everything outside the markers belongs to someone else and is never changed.
 */
import type { Problem } from "../../lib/validate";

export const OVERRIDE_PATH = "/etc/pmg/templates/main.cf.in";
export const DEFAULT_PATH = "/var/lib/pmg/templates/main.cf.in";
export const BEGIN =
  "# BEGIN homelab-mail managed block (Pulumi): edits here are reverted; delete the resource to remove it";
export const END = "# END homelab-mail managed block";

export type Parameters = Record<string, string>;

/**
 * PMG's own TLS policy map, which its template sets only with `tls=1` (main.cf.in:
 * `[% IF pmg.mail.tls %] ... smtp_tls_policy_maps = hash:/etc/pmg/tls_policy`). A block that sets
 * `smtp_tls_policy_maps` merges it instead of defining the parameter a second time (Postfix warns
 * "overriding earlier entry" and drops PMG's map): PMG's line is parked as a comment the block's
 * removal restores, and the block lists PMG's map after its own, under PMG's own condition.
 * Postfix searches policy maps in order and the first match wins (postconf(5), smtp_tls_policy_maps),
 * so the block's entry for the smarthost wins over a PMG entry for the same next hop.
 */
export const PMG_POLICY_LINE = "smtp_tls_policy_maps = hash:/etc/pmg/tls_policy";
export const PARKED = "#homelab-mail-parked: ";
const MERGE_SUFFIX = "[% IF pmg.mail.tls %], hash:/etc/pmg/tls_policy[% END %]";

/**
 * What a hand-made setup appended for the same purpose (the mission guide's
 * "# === Gmail SASL relay authentication ===" lines): outside the block, a definition of one of
 * these that PMG's own template does not have is absorbed, i.e. removed in favour of the block.
 */
export const ABSORBED = [
  "smtp_sasl_auth_enable",
  "smtp_sasl_password_maps",
  "smtp_sasl_security_options",
  "smtp_sasl_tls_security_options",
  "smtp_tls_security_level",
  "smtp_tls_CAfile",
];
const GUIDE_HEADER = /^#\s*=+\s*Gmail SASL relay authentication\s*=+\s*$/;

export type BlockSearch =
  | { readonly kind: "absent" }
  | {
      readonly kind: "present";
      readonly parameters: Parameters;
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: "corrupt"; readonly reason: string };

/** The block's lines, parameters sorted by name so the text is the same whatever order config gives. */
export function renderBlock(parameters: Parameters, mergePmgPolicy = false): string[] {
  const names = Object.keys(parameters).sort();
  const line = (n: string) =>
    `${n} = ${parameters[n]}${n === "smtp_tls_policy_maps" && mergePmgPolicy ? MERGE_SUFFIX : ""}`;
  return [BEGIN, ...names.map(line), END];
}

export function findBlock(text: string): BlockSearch {
  const lines = text.split("\n");
  const begins = lines.flatMap((l, i) => (l === BEGIN ? [i] : []));
  const ends = lines.flatMap((l, i) => (l === END ? [i] : []));
  if (begins.length === 0 && ends.length === 0) return { kind: "absent" };
  if (begins.length !== 1 || ends.length !== 1 || ends[0] < begins[0]) {
    return {
      kind: "corrupt",
      reason: `found ${begins.length} BEGIN and ${ends.length} END marker lines, expected one of each in order`,
    };
  }
  const parameters: Parameters = {};
  for (const line of lines.slice(begins[0] + 1, ends[0])) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m)
      return {
        kind: "corrupt",
        reason: `a line inside the block is not \`name = value\`: ${JSON.stringify(line.slice(0, 80))}`,
      };
    parameters[m[1]] = m[2].endsWith(MERGE_SUFFIX) ? m[2].slice(0, -MERGE_SUFFIX.length) : m[2];
  }
  return { kind: "present", parameters, start: begins[0], end: ends[0] };
}

/**
 * The template with exactly this block: replaced in place when present, otherwise appended after
 * the file's last line (a missing final newline is added, and remembered by nothing: see `withoutBlock`).
 * With `upstream` (PMG's packaged template), hand-written definitions of the parameters in
 * ABSORBED that PMG's template does not have are removed (absorbed into the block), and PMG's own
 * `smtp_tls_policy_maps` line is parked and merged when the block sets that parameter.
 */
export function withBlock(text: string, parameters: Parameters, upstream?: string): string {
  const found = findBlock(text);
  if (found.kind === "corrupt") throw new Error(found.reason);
  let lines = text.split("\n");
  let at = found.kind === "present" ? found.start : -1;
  if (found.kind === "present") lines.splice(found.start, found.end - found.start + 1);
  if (upstream !== undefined) {
    // Appended to an unchanged copy (the guide's way): only the appended tail is hand-written.
    // Otherwise a line counts as hand-written when PMG's template has no such line at all.
    const own = new Set(upstream.split("\n"));
    const upstreamLines = upstream.endsWith("\n") ? upstream.split("\n").length - 1 : -1;
    const tailFrom = upstreamLines > 0 && lines.join("\n").startsWith(upstream) ? upstreamLines : -1;
    const keep = lines.map((l, i) => {
      if (GUIDE_HEADER.test(l)) return false;
      const m = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=/.exec(l);
      const handWritten = tailFrom >= 0 ? i >= tailFrom : !own.has(l);
      return !(m && ABSORBED.includes(m[1]) && handWritten);
    });
    if (at >= 0) at -= keep.slice(0, at).filter((k) => !k).length;
    lines = lines.filter((_, i) => keep[i]);
  }
  let merge = false;
  if ("smtp_tls_policy_maps" in parameters) {
    const others = lines.filter((l) => /^\s*smtp_tls_policy_maps\s*=/.test(l) && l !== PMG_POLICY_LINE);
    if (others.length > 0)
      throw new Error(
        `${OVERRIDE_PATH} already sets smtp_tls_policy_maps outside the managed block (${JSON.stringify(others[0].slice(0, 120))}); merge it by hand or remove it, then run pulumi up`,
      );
    lines = lines.map((l) => (l === PMG_POLICY_LINE ? `${PARKED}${l}` : l));
    merge = lines.includes(`${PARKED}${PMG_POLICY_LINE}`);
  }
  const block = renderBlock(parameters, merge);
  if (at >= 0) {
    lines.splice(at, 0, ...block);
    return lines.join("\n");
  }
  const base = lines.join("\n");
  const withNl = base === "" || base.endsWith("\n") ? base : `${base}\n`;
  return `${withNl}${block.join("\n")}\n`;
}

/** The template without the block, PMG's parked lines restored: the text it was appended to (when it ended in a newline). */
export function withoutBlock(text: string): string {
  const found = findBlock(text);
  if (found.kind === "corrupt") throw new Error(found.reason);
  const lines = text.split("\n");
  const rest =
    found.kind === "absent" ? lines : [...lines.slice(0, found.start), ...lines.slice(found.end + 1)];
  return rest.map((l) => (l.startsWith(PARKED) ? l.slice(PARKED.length) : l)).join("\n");
}

/**
 * Why a parameter cannot go into the block. Values are one main.cf line each, and the file is a
 * Template Toolkit template first: `[%` or `%]` would be run as a directive when PMG renders it.
 */
export function parameterProblem(name: string, value: unknown): Problem {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(name))
    return "is not a Postfix parameter name (letters, digits, _)";
  if (typeof value !== "string") return "must be a string";
  if (/[^\x20-\x7e]/.test(value))
    return "must be one line of printable ASCII (main.cf takes one value per line)";
  if (value.includes("[%") || value.includes("%]"))
    return "must not contain [% or %] (PMG renders the template with Template Toolkit)";
  if (value !== value.trim()) return "must not start or end with a space";
  if (value.length > 1000) return `is ${value.length} characters long; keep it under 1000`;
  return undefined;
}
