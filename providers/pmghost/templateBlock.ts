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
export function renderBlock(parameters: Parameters): string[] {
  const names = Object.keys(parameters).sort();
  return [BEGIN, ...names.map((n) => `${n} = ${parameters[n]}`), END];
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
    parameters[m[1]] = m[2];
  }
  return { kind: "present", parameters, start: begins[0], end: ends[0] };
}

/**
 * The template with exactly this block: replaced in place when present, otherwise appended after
 * the file's last line (a missing final newline is added, and remembered by nothing: see `withoutBlock`).
 */
export function withBlock(text: string, parameters: Parameters): string {
  const found = findBlock(text);
  if (found.kind === "corrupt") throw new Error(found.reason);
  const block = renderBlock(parameters);
  if (found.kind === "present") {
    const lines = text.split("\n");
    return [...lines.slice(0, found.start), ...block, ...lines.slice(found.end + 1)].join("\n");
  }
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${base}${block.join("\n")}\n`;
}

/** The template without the block: exactly the text it was appended to (when it ended in a newline). */
export function withoutBlock(text: string): string {
  const found = findBlock(text);
  if (found.kind === "absent") return text;
  if (found.kind === "corrupt") throw new Error(found.reason);
  const lines = text.split("\n");
  return [...lines.slice(0, found.start), ...lines.slice(found.end + 1)].join("\n");
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
