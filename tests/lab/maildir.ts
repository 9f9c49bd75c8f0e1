/** Reading the lab's mailboxes (Maildirs) as the scenarios assert on them: what arrived, and its headers. */
import * as fs from "node:fs";
import * as path from "node:path";

export interface StoredMessage {
  readonly file: string;
  readonly raw: string;
  /** Header fields, unfolded, lower-case names, in order. */
  readonly headers: [string, string][];
  header(name: string): string | undefined;
}

export function parseMessage(file: string, raw: string): StoredMessage {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  const headers = head
    .split(/\r?\n/)
    .map((l) => /^([^:\s]+):\s?(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m): [string, string] => [m[1].toLowerCase(), m[2]]);
  return { file, raw, headers, header: (n) => headers.find(([k]) => k === n.toLowerCase())?.[1] };
}

/** Every message in a Maildir (new and cur), oldest first. */
export function readMaildir(dir: string): StoredMessage[] {
  const files = ["new", "cur"].flatMap((sub) => {
    const d = path.join(dir, sub);
    return fs.existsSync(d) ? fs.readdirSync(d).map((f) => path.join(d, f)) : [];
  });
  return files
    .map((f) => ({ f, t: fs.statSync(f).mtimeMs }))
    .sort((a, b) => a.t - b.t)
    .map(({ f }) => parseMessage(f, fs.readFileSync(f, "utf8")));
}

/** Writes a message into a Maildir as a delivery agent does (tmp, then rename into new). */
export function deliverToMaildir(dir: string, raw: string, uid: number): string {
  for (const sub of ["tmp", "new", "cur"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const name = `${Date.now()}.${process.pid}_${Math.random().toString(36).slice(2)}.lab`;
  const tmp = path.join(dir, "tmp", name);
  fs.writeFileSync(tmp, raw.replace(/\r?\n/g, "\n"));
  fs.chownSync(tmp, uid, uid);
  const final = path.join(dir, "new", name);
  fs.renameSync(tmp, final);
  return final;
}
