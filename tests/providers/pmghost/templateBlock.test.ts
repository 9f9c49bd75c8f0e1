import * as fs from "node:fs";
import * as path from "node:path";
import {
  BEGIN,
  END,
  findBlock,
  parameterProblem,
  renderBlock,
  withBlock,
  withoutBlock,
} from "../../../providers/pmghost/templateBlock";

const TEMPLATE = fs.readFileSync(path.join(__dirname, "../../servers/pmghost/templates/main.cf.in"), "utf8");
const PARAMS = {
  smtp_sasl_auth_enable: "yes",
  smtp_sasl_password_maps: "hash:/etc/postfix/sasl_passwd",
  smtp_sasl_security_options: "noanonymous",
};

describe("withBlock and withoutBlock", () => {
  it("appends one block after PMG's template and leaves every other byte alone", () => {
    const text = withBlock(TEMPLATE, PARAMS);
    expect(text.startsWith(TEMPLATE)).toBe(true);
    expect(text.slice(TEMPLATE.length)).toMatchSnapshot();
  });

  it("is idempotent: applying the block twice gives the same text", () => {
    const once = withBlock(TEMPLATE, PARAMS);
    expect(withBlock(once, PARAMS)).toBe(once);
    expect(once.split("\n").filter((l) => l === BEGIN)).toHaveLength(1);
  });

  it("replaces the block in place when parameters change", () => {
    const edited = withBlock(`${withBlock(TEMPLATE, PARAMS)}# a local line after the block\n`, {
      smtp_sasl_auth_enable: "no",
    });
    expect(findBlock(edited)).toMatchObject({ kind: "present", parameters: { smtp_sasl_auth_enable: "no" } });
    expect(edited.endsWith("# a local line after the block\n")).toBe(true);
  });

  it("removes the block and gives back exactly the original text", () => {
    expect(withoutBlock(withBlock(TEMPLATE, PARAMS))).toBe(TEMPLATE);
    const noNewline = "a = b";
    expect(withoutBlock(withBlock(noNewline, PARAMS))).toBe("a = b\n");
    expect(withoutBlock(TEMPLATE)).toBe(TEMPLATE);
  });

  it("refuses to touch a damaged block", () => {
    const damaged = `${TEMPLATE}${BEGIN}\nsmtp_sasl_auth_enable = yes\n`;
    expect(findBlock(damaged)).toMatchObject({ kind: "corrupt" });
    expect(() => withBlock(damaged, PARAMS)).toThrow(/BEGIN/);
    expect(() => withoutBlock(`${BEGIN}\nnot a parameter line\n${END}\n`)).toThrow(/not `name = value`/);
  });

  it("sorts parameters, so the text does not depend on the order config gives them in", () => {
    expect(renderBlock({ b: "2", a: "1" })).toEqual([BEGIN, "a = 1", "b = 2", END]);
  });
});

describe("parameterProblem", () => {
  it.each([
    ["a Template Toolkit directive", "x", "[% pmg.mail.relay %]", /Template Toolkit/],
    ["a line break", "x", "a\nb", /one line/],
    ["a bad name", "smtp-sasl", "yes", /parameter name/],
    ["a name that is a directive", "[%x%]", "yes", /parameter name/],
  ])("rejects %s", (_label, name, value, reason) => {
    expect(parameterProblem(name, value)).toMatch(reason);
  });

  it("accepts Postfix $references", () => {
    expect(parameterProblem("lmtp_tls_CAfile", "$smtp_tls_CAfile")).toBeUndefined();
  });
});
