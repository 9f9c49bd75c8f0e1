/**
 * The Postfix SASL password map for the outbound smarthost (/etc/postfix/sasl_passwd, `postmap`ed).
 *
 * Which key Postfix looks up: smtp_sasl_glue.c tries the server's host name, then the next-hop
 * destination exactly as the transport wrote it. PMG renders its smarthost as
 * `default_transport = smtp:<host>:<port>`, without brackets (reference 2.3), so the lookup is
 * `<host>:<port>`. The bracketed `[<host>]:<port>` is written too: it is the form Postfix's own
 * SASL_README and the hand-made setup use, and it is what PMG renders for a `relay` with
 * `relaynomx`, so the map keeps answering if the next hop is ever written that way. Both keys name
 * the same host and port, so no credential goes anywhere else.
 */
import * as v from "../../lib/validate";

export const SASL_PATH = "/etc/postfix/sasl_passwd";
export const SASL_HEADER =
  "# Managed by homelab-mail (Pulumi): Gmail SASL credentials for PMG's smarthost. Hand edits are reverted.";

const MAX = 256;

/** The lookup keys for a smarthost, the one PMG's transport uses first. */
export function saslKeys(host: string, port: number): string[] {
  const h = host.toLowerCase();
  return [`${h}:${port}`, `[${h}]:${port}`];
}

export function renderSaslMap(host: string, port: number, username: string, password: string): string {
  return [SASL_HEADER, ...saslKeys(host, port).map((k) => `${k} ${username}:${password}`), ""].join("\n");
}

/** Postfix splits the value at the first `:` into user and password, and trims the line's ends. */
export function saslUserProblem(value: unknown): v.Problem {
  if (typeof value !== "string" || value === "") return "must be the SASL login, e.g. the Gmail address";
  if (!/^[\x21-\x7e]+$/.test(value))
    return "must be printable ASCII without spaces, control characters or line breaks";
  if (value.includes(":")) return "must not contain ':' (Postfix splits user and password at the first ':')";
  if (value.length > MAX) return `is ${value.length} characters long; at most ${MAX}`;
  return undefined;
}

export function saslPasswordProblem(value: string): v.Problem {
  if (value === "") return "is empty";
  if (/[^\x20-\x7e]/.test(value))
    return "must be printable ASCII without control characters or line breaks (one map line per key)";
  if (value !== value.trim()) return "must not start or end with a space (Postfix trims map values)";
  if (value.length > MAX) return `is ${value.length} characters long; at most ${MAX}`;
  return undefined;
}

/**
 * Whether an existing map says nothing the declared one would lose: every entry is for one of the
 * smarthost's keys and holds exactly the declared login and password (the mission guide's
 * `[smtp.gmail.com]:587 <login>:<password>`). Such a file is absorbed into the managed form; any
 * other entry or credential is someone else's and is refused (issue 12 item 1).
 */
export function absorbable(
  text: string,
  host: string,
  port: number,
  username: string,
  password: string,
): boolean {
  const keys = saslKeys(host, port);
  const entries = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return (
    entries.length > 0 &&
    entries.every((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l);
      return m !== null && keys.includes(m[1].toLowerCase()) && m[2] === `${username}:${password}`;
    })
  );
}
