/**
 * The fetchmail account the program declares, rendered the PMG way: a block in PMG's own
 * `fetchmailrc.tt` (overridden in /etc/pmg/templates), in the region above PMG's marker where the
 * 9.x template says "add manually configured accounts below and before 'proxmox settings'"
 * (pmg-api dd3aa49, src/templates/fetchmailrc.tt). PMG's parser skips everything above the marker
 * (src/PMG/Fetchmail.pm read_fetchmail_conf), and every PMG write renders the whole file from the
 * template, so the block survives PMG's rewrites and coexists with the accounts of PMG's GUI.
 *
 * Delivery (docs/recipient-headers.md): multidrop, by SMTP into PMG's external port exactly as
 * PMG's own entries (`smtphost <int_ip>/<ext_port>`, reference 2.9), so fetched mail is filtered as
 * inbound. Each message goes to the declared addresses it names, matched as whole addresses
 * (fetchmail transact.c find_server_names: "try to match full address first"); a message naming
 * none goes to the declared fallback (`set postmaster`, transact.c: "no local matches, forwarding
 * to postmaster"). A message is deleted on Gmail only after PMG accepted it; a refusal keeps it
 * there (`softbounce`, and `antispam -1` so no refusal is ever read as "spam, discard").
 *
 * Retry after a refusal or an outage (`postconnect`; docs/assumptions.md, "fetchmail: a kept message is retried only by a fresh process"): in multidrop mode
 * fetchmail keeps the MD5 of the last message's headers for the daemon's whole life and refuses a
 * message whose headers hash the same as the previous one (transact.c readheaders, 6.3.26 l.999-1017:
 * `if (!memcmp(ctl->lastdigest, ctl->digest, DIGESTLEN)) return(PS_REFUSED);`, applied whenever no
 * envelope header was found, which is always so with To/Cc routing). The digest is stored before
 * the SMTP connection is opened, so a message PMG did not take is, at every later poll of the same
 * daemon, a "duplicate": not forwarded, and kept only thanks to `softbounce` (driver.c
 * fetch_messages l.660-663 and 759-760), logged "not flushed". No rc option turns that off, and only
 * a new process forgets the digest (fetchmail.h `lastdigest`, no reset anywhere). fetchmail's
 * documented restart does exactly that: "If you touch or change the ~/.fetchmailrc file while
 * fetchmail is running in daemon mode, this will be detected at the beginning of the next poll
 * cycle ... fetchmail rereads it and restarts from scratch (using exec(2); no state information is
 * retained in the new instance)" (fetchmail.man l.1393-1397; fetchmail.c l.684-717). So after each
 * poll (`postconnect` runs on every exit path of the poll, driver.c l.1586-1591) the block touches
 * the rc file the daemon reads: the next cycle starts from a fresh process, which delivers the kept
 * message. Line numbers: github.com/Distrotech/fetchmail (6.3.26); the same with Debian's 6.4.37,
 * proven in tests/providers/pmghost/delivery.test.ts.
 *
 * Strings: fetchmail's lexer (rcfile_l.l) reads `\xNN` in double-quoted strings; every character
 * outside [A-Za-z0-9:@._~-] is written that way, as PMG's own writer does (write_fetchmail_conf),
 * which also keeps Template Toolkit's `[%` out of the template.
 */
import type { Problem } from "../../lib/validate";
import type { DumpedRc } from "./configDump";

export interface FetchmailAccount {
  /** IMAP server, e.g. imap.gmail.com. */
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** IMAP folder to fetch from. */
  readonly folder: string;
  /** PMG's poll cycles between polls (`interval`; PMG's template polls every 300 s). */
  readonly interval: number;
  /** The addresses mail in this box is delivered to, each only when the message names it. */
  readonly localNames: readonly string[];
  /** Where a message naming none of them goes. */
  readonly fallback: string;
  /** `none`: read To/Cc/Resent-*; otherwise the one header holding the original recipient. */
  readonly envelope: string;
}

/** PMG's poll cycle: `set daemon 300` in fetchmailrc.tt. */
export const PMG_CYCLE_SECONDS = 300;
export const BEGIN =
  "# BEGIN homelab-mail managed accounts (Pulumi): edits here are reverted; PMG's GUI accounts below are PMG's";
export const END = "# END homelab-mail managed accounts";
/** PMG's marker (read_fetchmail_conf skips up to `^\#\s+proxmox\s+settings.*$`). */
export const PMG_MARKER = /^#\s+proxmox\s+settings/;
/** The rc file PMG's fetchmail daemon reads: PMG's link to /etc/pmg/fetchmailrc (src/PMG/Fetchmail.pm `$config_link_filename`). */
export const PMG_FETCHMAILRC = "/etc/fetchmailrc";
/** The command that makes the daemon restart at its next cycle (see the file comment). */
export const restartCommand = (rcFile: string) => `/usr/bin/touch -c ${rcFile}`; // -c: never creates it
/** The delivery target of PMG's own entries, as its template writes it. */
export const PMG_SMTPHOST = "[% ipconfig.int_ip %]/[% pmg.mail.ext_port %]";

/** fetchmail masks the password in its protocol log with a buffer sized for 64 characters (PASSWORDLEN); PMG's API caps `pass` at 64 too. */
export const MAX_PASSWORD = 64;
const MAX_TEXT = 256;

/** A value in fetchmail's double-quoted string syntax, escaped as PMG escapes it. */
export function rcString(value: string): string {
  return `"${value.replace(/[^A-Za-z0-9:@._~-]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;
}

/** The poll interval in PMG cycles for a wished period: the nearest whole number of cycles, at least one. */
export function intervalFor(pollSeconds: number): number {
  return Math.max(1, Math.round(pollSeconds / PMG_CYCLE_SECONDS));
}

export function localNamesOf(a: Pick<FetchmailAccount, "localNames" | "fallback">): string[] {
  return [...new Set([...a.localNames, a.fallback].map((x) => x.toLowerCase()))];
}

/** The block's lines, for the template (smtphost as PMG's template vars) or for a check (`smtphost` given). */
export function renderAccountBlock(
  a: FetchmailAccount,
  smtphost = PMG_SMTPHOST,
  rcFile = PMG_FETCHMAILRC,
): string[] {
  const envelope = a.envelope === "none" ? "no envelope" : `envelope ${rcString(a.envelope)}`;
  return [
    BEGIN,
    `set postmaster ${rcString(a.fallback.toLowerCase())}`,
    "set softbounce",
    `poll ${rcString(a.server)} protocol IMAP port ${a.port} interval ${a.interval} no dns ${envelope}`,
    `  user ${rcString(a.user)} password ${rcString(a.password)}`,
    `  is ${localNamesOf(a).map(rcString).join(" ")} here`,
    "  ssl sslcertck",
    `  folder ${rcString(a.folder)}`,
    "  fetchall nokeep dropdelivered antispam -1",
    `  smtphost "${smtphost}"`,
    `  postconnect ${rcString(restartCommand(rcFile))}`,
    END,
  ];
}

export type BlockSearch =
  | { readonly kind: "absent"; readonly marker: number }
  | { readonly kind: "present"; readonly start: number; readonly end: number; readonly marker: number }
  | { readonly kind: "corrupt"; readonly reason: string };

export function findAccountBlock(template: string): BlockSearch {
  const lines = template.split("\n");
  const marker = lines.findIndex((l) => PMG_MARKER.test(l));
  const begins = lines.flatMap((l, i) => (l === BEGIN ? [i] : []));
  const ends = lines.flatMap((l, i) => (l === END ? [i] : []));
  if (marker < 0) return { kind: "corrupt", reason: "PMG's marker line `# proxmox settings` is missing" };
  if (begins.length === 0 && ends.length === 0) return { kind: "absent", marker };
  if (begins.length !== 1 || ends.length !== 1 || ends[0] < begins[0] || ends[0] > marker)
    return {
      kind: "corrupt",
      reason: `found ${begins.length} BEGIN and ${ends.length} END marker lines, expected one of each, in order, above PMG's marker`,
    };
  return { kind: "present", start: begins[0], end: ends[0], marker };
}

/** The template with exactly this block, right above PMG's marker (replaced in place when present). */
export function withAccountBlock(template: string, block: string[]): string {
  const found = findAccountBlock(template);
  if (found.kind === "corrupt") throw new Error(found.reason);
  const lines = template.split("\n");
  if (found.kind === "present") lines.splice(found.start, found.end - found.start + 1, ...block);
  else lines.splice(found.marker, 0, ...block, "");
  return lines.join("\n");
}

/** The template without the block: exactly the text it was added to. */
export function withoutAccountBlock(template: string): string {
  const found = findAccountBlock(template);
  if (found.kind !== "present") return template;
  const lines = template.split("\n");
  const extra = lines[found.end + 1] === "" ? 1 : 0; // the blank line withAccountBlock added
  lines.splice(found.start, found.end - found.start + 1 + extra);
  return lines.join("\n");
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

/**
 * A header name fetchmail can take as `envelope` (RFC 5322 field name), or `none`. The headers a
 * Cloudflare-forwarded message carries in Gmail are refused with the reason
 * (docs/recipient-headers.md, proven with the real fetchmail in tests/providers/pmghost/delivery.test.ts).
 */
export function envelopeProblem(value: unknown): Problem {
  if (value === "none") return undefined;
  if (typeof value !== "string" || !/^[!-9;-~]{1,76}$/.test(value))
    return 'must be "none" or a header field name such as X-Original-To';
  const why: Record<string, string> = {
    "x-forwarded-for":
      "holds `<original> <box>` separated by a space, which fetchmail reads as one address (so every message would go to the fallback)",
    "x-forwarded-to": "names the Gmail box Cloudflare forwarded to, not the original recipient",
    "delivered-to": "is the Gmail box Gmail delivered to, not the original recipient",
    received: "the newest Received line is Gmail's, `for <the Gmail box>`",
  };
  const reason = why[value.toLowerCase()];
  return reason
    ? `${value} ${reason}; use "none" (To/Cc) or a header holding one original recipient`
    : undefined;
}

/** The account in fetchmail's reading of a file, by server and user; undefined when absent. */
export function dumpedAccount(dump: DumpedRc, a: Pick<FetchmailAccount, "server" | "user">) {
  for (const s of dump.servers)
    for (const u of s.users) if (s.server === a.server && u.user === a.user) return { server: s, user: u };
  return undefined;
}

/** The fields where fetchmail's reading of a rendered file differs from the account; empty when intact. */
export function dumpDifferences(dump: DumpedRc, a: FetchmailAccount): string[] {
  const found = dumpedAccount(dump, a);
  if (!found) return [`account (fetchmail read no account for ${a.user} on ${a.server})`];
  const { server, user } = found;
  const want: [string, unknown, unknown][] = [
    ["postmaster", dump.postmaster, a.fallback.toLowerCase()],
    ["softbounce", dump.softbounce, true],
    ["protocol", server.protocol, "IMAP"],
    ["port", server.port, String(a.port)],
    ["interval", server.interval, a.interval],
    ["dns", server.dns, false],
    ["envelope", server.envelope, a.envelope === "none" ? null : a.envelope],
    ["password", user.password, a.password],
    ["localNames", JSON.stringify(user.localnames), JSON.stringify(localNamesOf(a))],
    ["folder", JSON.stringify(user.folders), JSON.stringify([a.folder])],
    ["fetchall", user.fetchall, true],
    ["keep", user.keep, false],
    ["dropdelivered", user.dropdelivered, true],
    ["antispam", user.antispam, "-1"],
    ["ssl", user.ssl, true],
    ["sslcertck", user.sslcertck, true],
    ["mda", user.mda, null],
    ["postconnect", user.postconnect, restartCommand(PMG_FETCHMAILRC)],
  ];
  return want.filter(([, have, expected]) => have !== expected).map(([name]) => name);
}

/**
 * The stanza this program wrote before (and the mission's hand-written /etc/fetchmailrc): single
 * drop through sendmail. Kept only as the regression case the delivery tests show failing: run as
 * Debian's daemon user, fetchmail hands every message to the local user `fetchmail` (issue 11 item 1).
 */
export function renderLegacyFetchmailrc(
  a: Pick<FetchmailAccount, "server" | "port" | "user" | "password" | "folder">,
): string {
  return [
    "set daemon 120",
    "set syslog",
    "set no bouncemail",
    "",
    `poll ${rcString(a.server)} protocol IMAP port ${a.port}`,
    `  user ${rcString(a.user)} password ${rcString(a.password)}`,
    "  ssl sslcertck",
    `  folder ${rcString(a.folder)}`,
    "  fetchall nokeep",
    `  mda "/usr/sbin/sendmail -oi -f %F -- %T"`,
    "",
  ].join("\n");
}
