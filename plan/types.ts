/**
 * The adoption plan's vocabulary: for every object the stack declares, what the first `pulumi up`
 * will do to it on the live system. Each system has its own module (pmg.ts, stalwart.ts, unifi.ts,
 * and more as systems join); cli.ts reads the stack file and prints what they found.
 */
export type Action = "adopt" | "change" | "create" | "refuse" | "note";

export interface FieldChange {
  readonly field: string;
  /** As the live system has it; undefined when unset. */
  readonly live: unknown;
  readonly declared: unknown;
}

export interface PlanItem {
  /** "trusted network 192.0.2.0/24". */
  readonly object: string;
  /** adopt: as is; change: adopted and changed (`changes`); create; refuse (`reason`, `fix`); note: not managed. */
  readonly action: Action;
  readonly changes?: FieldChange[];
  readonly reason?: string;
  readonly fix?: string;
}

export interface PlanSection {
  /** "pmg", "stalwart", "unifi". */
  readonly system: string;
  readonly endpoint: string;
  readonly items: PlanItem[];
  /** Set when the system could not be read at all (no secret, unreachable): its items are unknown. */
  readonly error?: string;
}

const show = (x: unknown) => (x === undefined || x === null ? "(unset)" : JSON.stringify(x));

/** The plan as text, one line per object (plus its reason and fix for refusals). */
export function formatPlan(sections: PlanSection[]): string {
  const lines: string[] = [];
  for (const s of sections) {
    lines.push(`${s.system} ${s.endpoint}`);
    if (s.error) lines.push(`  cannot read: ${s.error}`);
    for (const i of s.items) {
      const changes = (i.changes ?? []).map((c) => `${c.field} ${show(c.live)} -> ${show(c.declared)}`);
      const head = `  ${i.action.padEnd(7)} ${i.object}`;
      lines.push(changes.length > 0 ? `${head}: ${changes.join("; ")}` : head);
      if (i.reason) lines.push(`          why: ${i.reason}`);
      if (i.fix) lines.push(`          fix: ${i.fix}`);
    }
  }
  const all = sections.flatMap((s) => s.items);
  const count = (a: Action) => all.filter((i) => i.action === a).length;
  lines.push(
    `${all.length - count("note")} objects: ${count("adopt")} adopt as is, ${count("change")} adopt and change, ` +
      `${count("create")} create, ${count("refuse")} refused; ${sections.filter((s) => s.error).length} systems unreadable`,
  );
  return lines.join("\n");
}

/** A refusal's standard fix: adopt deliberately, or declare what is there. */
export const ADOPT_FIX =
  "declare what is there, or overwrite it once: `pulumi config set homelab-mail:adoptExisting true`, `pulumi up`, then `pulumi config rm homelab-mail:adoptExisting`";
