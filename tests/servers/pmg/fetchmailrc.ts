// /etc/pmg/fetchmailrc as pmg-api writes it (PMG/Fetchmail.pm write_fetchmail_conf with template
// fetchmailrc.tt) and reads it back (read_fetchmail_conf). On PMG 9 an entry without ssl gets
// `sslproto ''` (fix #6798), which the reader returns as the extra key sslproto = "''".
import { perlTrue } from "./perl";

export type FetchmailValue = string | number;
/** One entry as the reader returns it: strings, plus 1/0 numbers for enable and the flags. */
export type FetchmailEntry = Record<string, FetchmailValue>;

export class FetchmailError extends Error {}

function escape(v: FetchmailValue): string {
  return String(v).replace(
    /[^A-Za-z0-9:@\-._~]/gu,
    (c) => `\\x${(c.codePointAt(0) as number).toString(16).padStart(2, "0")}`,
  );
}

export function writeFetchmailrc(
  entries: Map<string, FetchmailEntry>,
  version: number,
  smtphost: string,
): string {
  let out =
    "# auto-generated using template fetchmailrc.tt\n\nset daemon 300\nset no bouncemail\n\n" +
    `defaults:\n  antispam -1\n  batchlimit 100\n\nsmtphost ${smtphost}\n\n` +
    "# proxmox settings (Do not delete this marker!!)\n";
  for (const [id, org] of entries) {
    const item: Record<string, string> = { id };
    for (const [k, v] of Object.entries(org)) item[k] = escape(v);
    item.protocol ??= "pop3";
    item.interval ??= "1";
    item.enable ??= "0";
    if (!perlTrue(item.port)) {
      if (item.protocol === "pop3") item.port = perlTrue(item.ssl) ? "995" : "110";
      else if (item.protocol === "imap") item.port = perlTrue(item.ssl) ? "993" : "143";
      else throw new FetchmailError(`unknown fetchmail protocol '${item.protocol}'\n`);
    }
    const options = ["dropdelivered"];
    if (perlTrue(item.ssl)) options.push("ssl");
    else if (version >= 9) options.push("sslproto ''");
    if (perlTrue(item.keep)) options.push("keep");
    out += `\n${perlTrue(item.enable) ? "poll" : "skip"} ${item.id} via "${item.server ?? ""}"\n`;
    out += ` protocol ${item.protocol} port ${item.port}\n`;
    if (perlTrue(item.interval)) out += ` interval ${item.interval}\n`;
    out += ` user "${item.user ?? ""}" pass "${item.pass ?? ""}"\n to "${item.target ?? ""}"\n`;
    out += ` ${options.join(" ")}\n`;
  }
  return `${out}\n`;
}

function tokenize(line: string): Array<{ token: string; str?: string }> {
  const tokens: Array<{ token: string; str?: string }> = [];
  const re = /("([^"]*)"|\S+|)(?:\s|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex <= line.length && (m = re.exec(line)) !== null) {
    if (m[0] === "") re.lastIndex++;
    if (m[1] === "") continue;
    const str = m[2]?.replace(/\\x([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    tokens.push({ token: m[1], str });
  }
  return tokens;
}

export function readFetchmailrc(text: string): Map<string, FetchmailEntry> {
  const cfg = new Map<string, FetchmailEntry>();
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^#\s+proxmox\s+settings/.test(l));
  if (start < 0) return cfg;
  const tokens: Array<{ token: string; str?: string; line: number }> = [];
  for (let i = start + 1; i < lines.length; i++)
    for (const t of tokenize(lines[i])) tokens.push({ ...t, line: i + 1 });
  let pos = 0;
  const arg = (line: number): string => {
    const t = tokens[pos++];
    if (!t) throw new FetchmailError(`line ${line}: missing token arguemnt\n`);
    return t.str ?? t.token;
  };
  let item: FetchmailEntry | undefined;
  while (pos < tokens.length) {
    const { token, line } = tokens[pos++];
    if (token === "poll" || token === "skip") {
      if (item) cfg.set(String(item.id), item);
      item = { id: arg(line), enable: token === "poll" ? 1 : 0 };
      continue;
    }
    if (!item) throw new FetchmailError(`line ${line}: unexpected token '${token}'\n`);
    const field = {
      user: "user",
      via: "server",
      pass: "pass",
      to: "target",
      protocol: "protocol",
      port: "port",
      interval: "interval",
      sslproto: "sslproto",
    }[token];
    if (field) item[field] = arg(line);
    else if (token === "ssl" || token === "keep" || token === "dropdelivered") item[token] = 1;
    else throw new FetchmailError(`line ${line}: unexpected token '${token}' inside entry '${item.id}'\n`);
  }
  if (item) cfg.set(String(item.id), item);
  return cfg;
}
