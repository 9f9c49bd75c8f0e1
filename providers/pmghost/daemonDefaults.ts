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
