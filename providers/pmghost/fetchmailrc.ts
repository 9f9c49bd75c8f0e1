/**
 * The /etc/fetchmailrc the mission's fetchmail daemon runs with, rendered from config, and the rules
 * for values it can carry safely. Grammar (fetchmail rcfile_l.l): a double-quoted string runs to the
 * next `"`, with no way to escape one except `\xNN`; a backslash starts an escape (`\\`, `\xNN`,
 * octal, decimal); everything else inside the quotes is literal, `#`, `$`, `;` and spaces included.
 * So a value is written in double quotes with only `"` and `\` as hex escapes.
 */
import type { Problem } from "../../lib/validate";
import type { DumpedRc } from "./configDump";

export interface FetchmailRcValues {
  /** IMAP server, e.g. imap.gmail.com. */
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** IMAP folder to fetch from. */
  readonly folder: string;
  /** `set daemon`: seconds between polls. */
  readonly pollSeconds: number;
}

/** The mission's delivery: re-inject into PMG's own Postfix, so fetched mail is filtered like inbound mail. */
export const MDA = "/usr/sbin/sendmail -oi -f %F -- %T";

export const HEADER =
  "# Managed by homelab-mail (Pulumi). Hand edits are reported on refresh and reverted by `pulumi up`.";

/** fetchmail masks the password in its protocol log with a buffer sized for 64 characters (PASSWORDLEN); PMG's API caps `pass` at 64 too. */
export const MAX_PASSWORD = 64;
const MAX_TEXT = 256;

/** A value in fetchmail's double-quoted string syntax. */
export function rcString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`)}"`;
}

export function renderFetchmailrc(v: FetchmailRcValues): string {
  return [
    HEADER,
    `set daemon ${v.pollSeconds}`,
    "set syslog",
    "set no bouncemail",
    "",
    `poll ${rcString(v.server)} protocol IMAP port ${v.port}`,
    `  user ${rcString(v.user)} password ${rcString(v.password)}`,
    "  ssl sslcertck",
    `  folder ${rcString(v.folder)}`,
    "  fetchall nokeep",
    `  mda ${rcString(MDA)}`,
    "",
  ].join("\n");
}

/**
 * Why a value cannot go into the rc file safely, or undefined. Only printable ASCII is accepted:
 * fetchmail sends user and password in an IMAP LOGIN line, where a line break would end the command
 * (and NUL cannot be written in the rc at all); IMAP folder names beyond ASCII need modified UTF-7.
 */
export function rcValueProblem(kind: "user" | "password" | "folder", value: unknown): Problem {
  if (typeof value !== "string" || value === "") return "must be a non-empty string";
  if (/[^\x20-\x7e]/.test(value)) {
    return kind === "folder"
      ? "must be printable ASCII; write a non-ASCII IMAP folder name in modified UTF-7 (e.g. Entw&APw-rfe), without control characters"
      : "must be printable ASCII without control characters or line breaks (fetchmail sends it in one IMAP command line)";
  }
  const max = kind === "password" ? MAX_PASSWORD : MAX_TEXT;
  if (value.length > max) return `is ${value.length} characters long; fetchmail accepts at most ${max}`;
  // fetchmail writes the folder into `SELECT "<folder>"` without escaping it (imap.c), unlike user and password.
  if (kind === "folder" && /["\\]/.test(value))
    return 'must not contain " or \\ (fetchmail sends the folder name to IMAP unescaped)';
  return undefined;
}

/** The fields where fetchmail's reading of a rendered file differs from what was rendered; empty when intact. */
export function dumpDifferences(dump: DumpedRc, v: FetchmailRcValues): string[] {
  const diffs: string[] = [];
  const server = dump.servers.length === 1 ? dump.servers[0] : undefined;
  const user = server?.users.length === 1 ? server.users[0] : undefined;
  if (!server || !user)
    return [`entries (fetchmail read ${dump.servers.length} servers, expected exactly one with one user)`];
  const want: [string, unknown, unknown][] = [
    ["pollSeconds", dump.pollSeconds, v.pollSeconds],
    ["syslog", dump.syslog, true],
    ["bouncemail", dump.bouncemail, false],
    ["server", server.server, v.server],
    ["protocol", server.protocol, "IMAP"],
    ["port", server.port, String(v.port)],
    ["user", user.user, v.user],
    ["password", user.password, v.password],
    ["folder", JSON.stringify(user.folders), JSON.stringify([v.folder])],
    ["fetchall", user.fetchall, true],
    ["keep", user.keep, false],
    ["ssl", user.ssl, true],
    ["sslcertck", user.sslcertck, true],
    ["mda", user.mda, MDA],
  ];
  for (const [name, have, expected] of want) if (have !== expected) diffs.push(name);
  return diffs;
}
