/**
 * Reads what the host's real fetchmail understood of an rc file: `fetchmail --configdump` prints
 * the parsed configuration as a Python literal (`fetchmailrc = {...}`). Parsing it proves each value
 * reached fetchmail intact, which a clean exit alone does not: fetchmail's lexer silently reads an
 * unterminated `"abc` as the bare word `"abc`.
 */

export type DumpValue = string | number | boolean | null | DumpValue[] | { [k: string]: DumpValue };

export interface DumpedUser {
  readonly user: string;
  readonly password: string | null;
  readonly folders: string[];
  readonly fetchall: boolean;
  readonly keep: boolean;
  readonly ssl: boolean;
  readonly sslcertck: boolean;
  readonly mda: string | null;
  readonly postconnect: string | null;
  readonly localnames: string[];
  readonly dropdelivered: boolean;
  readonly antispam: string | null;
  readonly smtphunt: string[];
}

export interface DumpedServer {
  readonly server: string;
  readonly protocol: string;
  readonly port: string | null;
  readonly interval: number;
  readonly dns: boolean;
  readonly envelope: string | null;
  readonly users: DumpedUser[];
}

export interface DumpedRc {
  readonly pollSeconds: number;
  readonly syslog: boolean;
  readonly bouncemail: boolean;
  readonly postmaster: string | null;
  readonly softbounce: boolean;
  readonly servers: DumpedServer[];
}

/** The configuration in `fetchmail --configdump` output. Throws on anything it cannot read. */
export function parseConfigDump(text: string): DumpedRc {
  const start = text.indexOf("fetchmailrc = ");
  if (start < 0) throw new Error("no `fetchmailrc = ` in fetchmail's configdump output");
  const root = new LiteralParser(text, start + "fetchmailrc = ".length).value();
  const o = asObject(root);
  return {
    pollSeconds: Number(o.poll_interval),
    syslog: o.syslog === true,
    bouncemail: o.bouncemail === true,
    postmaster: o.postmaster === null || o.postmaster === undefined ? null : String(o.postmaster),
    softbounce: o.softbounce === true,
    servers: asList(o.servers).map((s) => {
      const so = asObject(s);
      return {
        server: String(so.pollname),
        protocol: String(so.protocol),
        port: so.service === null ? null : String(so.service),
        interval: Number(so.interval ?? 0),
        dns: so.dns === true,
        envelope: so.envelope === null || so.envelope === undefined ? null : String(so.envelope),
        users: asList(so.users).map((u) => {
          const uo = asObject(u);
          return {
            user: String(uo.remote),
            password: uo.password === null ? null : String(uo.password),
            folders: asList(uo.mailboxes).map(String),
            fetchall: uo.fetchall === true,
            keep: uo.keep === true,
            ssl: uo.ssl === true,
            sslcertck: uo.sslcertck === true,
            mda: uo.mda === null ? null : String(uo.mda),
            postconnect:
              uo.postconnect === null || uo.postconnect === undefined ? null : String(uo.postconnect),
            localnames: Array.isArray(uo.localnames) ? uo.localnames.map(String) : [],
            dropdelivered: uo.dropdelivered === true,
            antispam: uo.antispam === null || uo.antispam === undefined ? null : String(uo.antispam),
            smtphunt: Array.isArray(uo.smtphunt) ? uo.smtphunt.map(String) : [],
          };
        }),
      };
    }),
  };
}

function asObject(v: DumpValue | undefined): { [k: string]: DumpValue } {
  if (v && typeof v === "object" && !Array.isArray(v)) return v;
  throw new Error("fetchmail's configdump: expected a dictionary");
}

function asList(v: DumpValue | undefined): DumpValue[] {
  if (Array.isArray(v)) return v;
  throw new Error("fetchmail's configdump: expected a list");
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** Dictionaries, lists, tuples, strings, numbers, TRUE/FALSE/None, `#` comments, trailing commas. */
class LiteralParser {
  constructor(
    private readonly s: string,
    private i: number,
  ) {}

  value(): DumpValue {
    this.skip();
    const c = this.s[this.i];
    if (c === "{") return this.dict();
    if (c === "[" || c === "(") return this.list(c === "[" ? "]" : ")");
    if (c === '"' || c === "'") return this.string(c);
    const m = /^(-?\d+|TRUE|FALSE|None)/.exec(this.s.slice(this.i, this.i + 24));
    if (!m) throw new Error(`fetchmail's configdump: unexpected text at offset ${this.i}`);
    this.i += m[1].length;
    return m[1] === "TRUE" ? true : m[1] === "FALSE" ? false : m[1] === "None" ? null : Number(m[1]);
  }

  private dict(): { [k: string]: DumpValue } {
    const out: { [k: string]: DumpValue } = {};
    this.i++;
    for (;;) {
      this.skip();
      if (this.s[this.i] === "}") return (this.i++, out);
      const q = this.s[this.i];
      if (q !== '"' && q !== "'")
        throw new Error(`fetchmail's configdump: expected a key at offset ${this.i}`);
      const key = this.string(q);
      this.skip();
      if (this.s[this.i++] !== ":") throw new Error(`fetchmail's configdump: expected ':' after ${key}`);
      out[key] = this.value();
      this.comma();
    }
  }

  private list(close: string): DumpValue[] {
    const out: DumpValue[] = [];
    this.i++;
    for (;;) {
      this.skip();
      if (this.s[this.i] === close) return (this.i++, out);
      out.push(this.value());
      this.comma();
    }
  }

  private string(quote: string): string {
    let out = "";
    for (this.i++; this.i < this.s.length; this.i++) {
      const c = this.s[this.i];
      if (c === quote) return (this.i++, out);
      if (c === "\\") {
        const next = this.s[++this.i];
        out += ESCAPES[next] ?? `\\${next}`;
      } else out += c;
    }
    throw new Error("fetchmail's configdump: unterminated string");
  }

  private comma(): void {
    this.skip();
    if (this.s[this.i] === ",") this.i++;
  }

  private skip(): void {
    for (;;) {
      while (/\s/.test(this.s[this.i] ?? "")) this.i++;
      if (this.s[this.i] !== "#") return;
      while (this.i < this.s.length && this.s[this.i] !== "\n") this.i++;
    }
  }
}
