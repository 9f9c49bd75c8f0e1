import * as fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfigDump } from "../../../providers/pmghost/configDump";
import { checkText } from "../../../providers/pmghost/fetchmailFile";
import {
  BEGIN,
  dumpDifferences,
  envelopeProblem,
  findAccountBlock,
  intervalFor,
  rcString,
  rcValueProblem,
  renderAccountBlock,
  withAccountBlock,
  withoutAccountBlock,
  type FetchmailAccount,
} from "../../../providers/pmghost/fetchmailrc";
import { fetchmailDump } from "./realTools";

const base: FetchmailAccount = {
  server: "imap.gmail.com",
  port: 993,
  user: "lab-service-box@example.com",
  password: "abcd efgh ijkl mnop",
  folder: "INBOX",
  interval: 1,
  localNames: ["thehive@example.net", "noreply@example.net", "noreply@example.org"],
  fallback: "postmaster@example.net",
  envelope: "none",
};
/** PMG's packaged fetchmailrc.tt (pmg-api 9.1.0). */
const PMG_TEMPLATE = fs.readFileSync(
  path.join(__dirname, "../../servers/pmghost/templates/fetchmailrc.tt"),
  "utf8",
);
const renderFetchmailrc = (a: FetchmailAccount) => checkText(a);

/** Values a shell, a config parser or IMAP would misread if anything quoted them wrongly. */
const HOSTILE = [
  "; touch /tmp/pwned-semicolon",
  "$(touch /tmp/pwned-subst)",
  "`touch /tmp/pwned-backtick`",
  `it's "quoted"`,
  "back\\slash\\",
  "\\x41 is not A",
  "#not a comment",
  "  leading and trailing  ",
  'set daemon 1"; poll evil.example user "x',
  "'",
  '"',
  "%F %T $HOME ${IFS}",
];

describe("renderAccountBlock", () => {
  it("renders the account for PMG's template", () => {
    expect(renderAccountBlock(base).join("\n")).toMatchSnapshot();
  });

  it("is read back by the real fetchmail exactly as declared: multidrop to whole addresses, SMTP, no MDA", () => {
    const dump = fetchmailDump(renderFetchmailrc(base));
    expect(dumpDifferences(dump, base)).toEqual([]);
    expect(dump.servers[0]).toMatchObject({ dns: false, envelope: null, interval: 1 });
    expect(dump.servers[0].users[0]).toMatchObject({
      fetchall: true,
      keep: false,
      ssl: true,
      sslcertck: true,
      mda: null,
      antispam: "-1",
      dropdelivered: true,
      localnames: [...base.localNames, "postmaster@example.net"],
      folders: ["INBOX"],
    });
    expect(dump).toMatchObject({ postmaster: "postmaster@example.net", softbounce: true });
    const envelope = fetchmailDump(renderFetchmailrc({ ...base, envelope: "X-Original-To" }));
    expect(envelope.servers[0].envelope).toBe("X-Original-To");
  });

  it("goes above PMG's marker in PMG's template, once, and comes out leaving the template as it was", () => {
    const withBlock = withAccountBlock(PMG_TEMPLATE, renderAccountBlock(base));
    const lines = withBlock.split("\n");
    expect(lines.indexOf(BEGIN)).toBeLessThan(lines.findIndex((l) => l.startsWith("# proxmox settings")));
    expect(withAccountBlock(withBlock, renderAccountBlock(base))).toBe(withBlock);
    expect(withoutAccountBlock(withBlock)).toBe(PMG_TEMPLATE);
    expect(findAccountBlock("set daemon 300\n")).toMatchObject({ kind: "corrupt" });
    expect(() => withAccountBlock("no marker\n", renderAccountBlock(base))).toThrow(/marker/);
  });

  it("maps a poll period onto PMG's 300-second cycles", () => {
    expect([intervalFor(30), intervalFor(120), intervalFor(300), intervalFor(900)]).toEqual([1, 1, 1, 3]);
  });

  it("takes a header name or none as envelope", () => {
    expect(envelopeProblem("none")).toBeUndefined();
    expect(envelopeProblem("X-Original-To")).toBeUndefined();
    expect(envelopeProblem("X-Original-To:")).toMatch(/header field name/);
    expect(envelopeProblem("x-forwarded-for")).toMatch(/one address/);
    expect(envelopeProblem("Delivered-To")).toMatch(/Gmail box/);
    expect(envelopeProblem("X-Forwarded-To")).toMatch(/Gmail box/);
    expect(envelopeProblem('a"b c')).toMatch(/header field name/);
  });

  it.each(HOSTILE)("keeps the hostile value %j intact as user and password, and runs nothing", (value) => {
    const values = { ...base, user: value, password: value.slice(0, 64) };
    expect(rcValueProblem("user", values.user)).toBeUndefined();
    expect(rcValueProblem("password", values.password)).toBeUndefined();
    const dump = fetchmailDump(renderFetchmailrc(values));
    expect(dumpDifferences(dump, values)).toEqual([]);
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("pwned"))).toEqual([]);
  });

  it("keeps every printable ASCII password of up to 64 characters intact (property)", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))),
          minLength: 1,
          maxLength: 64,
        }),
        (pw) => {
          const values = { ...base, password: pw, user: pw };
          expect(dumpDifferences(fetchmailDump(renderFetchmailrc(values)), values)).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("writes every character outside PMG's safe set as a hex escape, Template Toolkit's [% included", () => {
    expect(rcString(`a"b\\c$d#e f[%`)).toBe('"a\\x22b\\x5cc\\x24d\\x23e\\x20f\\x5b\\x25"');
    expect(rcString("user.name-1_~:@x")).toBe('"user.name-1_~:@x"');
  });
});

describe("rcValueProblem", () => {
  it.each([
    ["a line break in the password", "password", "line\nbreak", /printable ASCII/],
    ["a carriage return in the password", "password", "carriage\rreturn", /printable ASCII/],
    ["a NUL in the password", "password", "nul\0byte", /printable ASCII/],
    ["a tab in the password", "password", "tab\there", /printable ASCII/],
    ["a 65-character password", "password", "x".repeat(65), /at most 64/],
    ["a non-ASCII user", "user", "jos\u00e9@example.com", /printable ASCII/],
    ["a 257-character user", "user", "u".repeat(257), /at most 256/],
    ["a quote in the folder", "folder", 'a"b', /unescaped/],
    ["a backslash in the folder", "folder", "a\\b", /unescaped/],
    ["a non-ASCII folder", "folder", "Entw\u00fcrfe", /modified UTF-7/],
    ["an empty user", "user", "", /non-empty/],
  ] as const)("rejects %s", (_label, kind, value, reason) => {
    expect(rcValueProblem(kind, value)).toMatch(reason);
  });

  it("accepts a 64-character password and a 256-character user", () => {
    expect(rcValueProblem("password", "p".repeat(64))).toBeUndefined();
    expect(rcValueProblem("user", "u".repeat(256))).toBeUndefined();
  });
});

describe("parseConfigDump", () => {
  it("reads fetchmail's Python-literal dump, escapes and comments included", () => {
    const text = fs.readFileSync(path.join(__dirname, "fixtures", "configdump.txt"), "utf8");
    const dump = parseConfigDump(text);
    expect(dump).toMatchObject({ pollSeconds: 120, syslog: true, bouncemail: false });
    expect(dump.servers[0]).toMatchObject({ server: "imap.gmail.com", protocol: "IMAP", port: "993" });
    expect(dump.servers[0].users[0]).toMatchObject({ user: 'a"b', password: "p\\$# x", folders: ["INBOX"] });
  });

  it("refuses text that is not a dump", () => {
    expect(() => parseConfigDump("fetchmail: syntax error")).toThrow(/no `fetchmailrc = `/);
  });
});
