import { execFileSync } from "node:child_process";
import * as fc from "fast-check";
import { redact, shellCommand, shellQuote } from "../../../providers/pmghost/shell";

/** What `sh -c` receives as one argument after parsing the quoted word. */
const throughShell = (value: string) =>
  execFileSync("sh", ["-c", `printf %s ${shellQuote(value)}`], { encoding: "utf8" });

describe("shellQuote", () => {
  it.each(["; id", "$(id)", "`id`", "it's", "a\nb", "'\"'\"'", "$HOME ${IFS} \\ * ?", "-n"])(
    "passes %j through sh literally",
    (value) => {
      expect(throughShell(value)).toBe(value);
    },
  );

  it("passes any string without NUL through sh literally (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\0")),
        (s) => throughShell(s) === s,
      ),
      { numRuns: 50 },
    );
  });

  it("refuses NUL, which no argument can carry", () => {
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });
});

describe("shellCommand", () => {
  it("quotes every argument and refuses a program name that is not plain", () => {
    expect(shellCommand("postmap", "-q", "a b", "hash:/x")).toBe("postmap '-q' 'a b' 'hash:/x'");
    expect(() => shellCommand("rm -rf /")).toThrow(/plain program/);
  });
});

describe("redact", () => {
  it("replaces every secret, longest first", () => {
    expect(redact("pw=hunter22 and hunter2", ["hunter2", "hunter22", undefined])).toBe(
      "pw=[redacted] and [redacted]",
    );
  });
});
