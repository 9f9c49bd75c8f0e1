/**
 * /etc/default/fetchmail: Debian's init script starts the daemon only with START_DAEMON=yes
 * (the package ships `no`). Only that one assignment is ever changed; the rest of the file stays.
 */
export const DEFAULTS_PATH = "/etc/default/fetchmail";

const assignment = () => /^([ \t]*(?:export[ \t]+)?)START_DAEMON=.*$/gm;

/** What the init script will see: the last assignment wins in a sourced shell file. */
export function startDaemon(text: string): boolean {
  const all = [...text.matchAll(assignment())].map((m) => m[0]);
  const last = all[all.length - 1];
  return last !== undefined && /START_DAEMON=["']?yes["']?\s*$/.test(last);
}

/** The file with START_DAEMON set: every assignment rewritten, or one appended when there is none. */
export function withStartDaemon(text: string, yes: boolean): string {
  const line = `START_DAEMON=${yes ? "yes" : "no"}`;
  if (assignment().test(text)) return text.replace(assignment(), `$1${line}`);
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${base}${line}\n`;
}

/**
 * The program's own switch, kept apart from PMG's. PMG rewrites the first line matching
 * `^#?START_DAEMON=` and drops the others, and reads only `^START_DAEMON=yes\s*$`
 * (src/PMG/Fetchmail.pm read_/write_fetchmail_default), writing `no` whenever its own entry count
 * drops to 0. An `export` line after PMG's is invisible to both, and wins in the init script,
 * which sources the file (the last assignment counts), so our accounts keep being polled whatever
 * PMG's GUI does.
 */
export const MANAGED_COMMENT =
  "# homelab-mail (Pulumi): accounts in /etc/pmg/templates/fetchmailrc.tt are polled whatever PMG's own entry count; PMG rewrites only the plain START_DAEMON line";
export const MANAGED_START = "export START_DAEMON=yes";

export function withoutManagedStart(text: string): string {
  return text
    .split("\n")
    .filter((l) => l !== MANAGED_COMMENT && l !== MANAGED_START)
    .join("\n");
}

export function withManagedStart(text: string): string {
  const rest = withoutManagedStart(text);
  const base = rest === "" || rest.endsWith("\n") ? rest : `${rest}\n`;
  return `${base}${MANAGED_COMMENT}\n${MANAGED_START}\n`;
}

/** The managed line is there and last: nothing after it can switch the daemon off again. */
export function managedStartInEffect(text: string): boolean {
  return withManagedStart(text) === text;
}
