/**
 * The Pulumi engine's config rule, applied to Pulumi.yaml and exactly the README's setup steps: a
 * fresh stack set up as the README says must not be refused before the program runs.
 *
 * The rule, from pulumi/pulumi pkg/workspace/config.go (checked on preview, up, refresh and destroy
 * through ValidateStackConfigAndApplyProjectConfig):
 *  - mergeConfig: a key declared in Pulumi.yaml in the project's namespace with neither `default`
 *    nor `value`, and not on the stack, is missing; all missing keys fail together with
 *    missingStackConfigurationKeysError: "Stack '<stack>' is missing configuration value(s) ...".
 *  - mergeConfig then puts a default on the stack as a plain value, and validateStackConfigValue
 *    refuses a `secret: true` key whose stack value is not encrypted: "Stack '<stack>' with
 *    configuration key '<key>' must be encrypted as it's secret".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

interface Declared {
  type?: string;
  secret?: boolean;
  default?: unknown;
  value?: unknown;
}
interface Project {
  name: string;
  config?: Record<string, Declared>;
}
/** The stack's keys (`project:key`) and whether each value is encrypted. */
type Stack = Map<string, { secure: boolean }>;

/** formatMissingKeys: 'a', 'a' and 'b', 'a', 'b' and 'c'. */
function formatMissing(keys: string[]): string {
  if (keys.length === 1) return `'${keys[0]}'`;
  return keys
    .map((k, i) => (i === keys.length - 1 ? `and '${k}'` : i === keys.length - 2 ? `'${k}' ` : `'${k}', `))
    .join("");
}

/** The engine's refusal for this stack, or undefined when it would run the program. */
export function engineRefusal(project: Project, stackName: string, given: Stack): string | undefined {
  const stack: Stack = new Map(given);
  const missing: string[] = [];
  for (const key of Object.keys(project.config ?? {}).sort()) {
    const decl = project.config![key];
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    const hasDefault = decl.default !== undefined && decl.default !== null;
    const hasValue = decl.value !== undefined && decl.value !== null;
    if (!stack.has(full) && !hasValue && !hasDefault && full.startsWith(`${project.name}:`)) {
      missing.push(key);
      continue;
    }
    // createConfigValue(default): a plain value.
    if (!stack.has(full)) stack.set(full, { secure: false });
  }
  if (missing.length > 0) {
    return `Stack '${stackName}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${formatMissing(missing)}`;
  }
  for (const key of Object.keys(project.config ?? {}).sort()) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    if (project.config![key].secret && !stack.get(full)?.secure)
      return `Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`;
  }
  return undefined;
}

/** The README's "Setting up a stack" section: the stack it creates and the keys its commands set. */
function readmeSetup(): { stackName: string; stack: Stack } {
  const readme = read("README.md");
  const start = readme.indexOf("## Setting up a stack");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const stackName = /pulumi stack init (\S+)/.exec(section)?.[1];
  if (!stackName) throw new Error("README: no `pulumi stack init <name>` in Setting up a stack");
  const stack: Stack = new Map();
  for (const m of section.matchAll(/^\s*pulumi config set((?: --(?:secret|path|plaintext))*) ([\w:.-]+)/gm)) {
    stack.set(m[2], { secure: m[1].includes("--secret") });
  }
  return { stackName, stack };
}

/** The keys of a stack config file, each a plain value (no `secure:`). */
function fileKeys(file: string): Stack {
  const doc = parse(read(file)) as { config: Record<string, unknown> };
  return new Map(Object.keys(doc.config).map((k) => [k, { secure: false }]));
}

const project = parse(read("Pulumi.yaml")) as Project;

describe("the engine's config rule on Pulumi.yaml and the README's setup", () => {
  const { stackName, stack } = readmeSetup();

  it("reads the README's steps: the stack homelab and its secrets", () => {
    expect(stackName).toBe("homelab");
    expect([...stack.keys()]).toContain("homelab-mail:pmgPassword");
    expect(stack.get("homelab-mail:pmgPassword")).toEqual({ secure: true });
  });

  it("runs a fresh stack that has only the README's `pulumi config set` commands", () => {
    expect(engineRefusal(project, stackName, stack)).toBeUndefined();
  });

  it("runs a fresh stack with the example config file and the README's commands", () => {
    const both = new Map([...fileKeys("tests/fixtures/stack/Pulumi.test.yaml"), ...stack]);
    expect(engineRefusal(project, stackName, both)).toBeUndefined();
  });

  it("declares no secret with a default, which the engine would store unencrypted and refuse", () => {
    const secretDefaults = Object.entries(project.config ?? {}).filter(
      ([, d]) => d.secret && d.default !== undefined,
    );
    expect(secretDefaults).toEqual([]);
  });
});

describe("the rule as ported (each case the engine refuses)", () => {
  const old: Project = {
    name: "homelab-mail",
    config: {
      adoptExisting: { type: "boolean", default: false },
      pmgPassword: { type: "string", secret: true },
      stalwartApiKey: { type: "string", secret: true },
      unifiApiKey: { type: "string", secret: true },
    },
  };
  const secrets: Stack = new Map([["homelab-mail:pmgPassword", { secure: true }]]);

  it("refuses declared keys with no default and no stack value, all at once (issue 12, item 1)", () => {
    expect(engineRefusal(old, "homelab", secrets)).toBe(
      "Stack 'homelab' is missing configuration values 'stalwartApiKey' and 'unifiApiKey'",
    );
    expect(engineRefusal({ ...old, config: { ...old.config, a: {}, b: {} } }, "homelab", secrets)).toBe(
      "Stack 'homelab' is missing configuration values 'a', 'b', 'stalwartApiKey' and 'unifiApiKey'",
    );
  });

  it("ignores keys of other namespaces and counts a key set to anything, even empty, as present", () => {
    const other: Project = { name: "homelab-mail", config: { "cloudflare:apiToken": { type: "string" } } };
    expect(engineRefusal(other, "homelab", new Map())).toBeUndefined();
    const set = new Map([
      ...secrets,
      ["homelab-mail:stalwartApiKey", { secure: true }],
      ["homelab-mail:unifiApiKey", { secure: true }],
    ]);
    expect(engineRefusal(old, "homelab", set)).toBeUndefined();
  });

  it("refuses a secret stored in plain text, and a secret given a default", () => {
    const one: Project = { name: "homelab-mail", config: { pmgPassword: old.config!.pmgPassword } };
    expect(engineRefusal(one, "homelab", new Map([["homelab-mail:pmgPassword", { secure: false }]]))).toMatch(
      /'pmgPassword' must be encrypted as it's secret/,
    );
    const withDefault: Project = {
      name: "homelab-mail",
      config: { unifiApiKey: { secret: true, default: "" } },
    };
    expect(engineRefusal(withDefault, "homelab", new Map())).toMatch(/'unifiApiKey' must be encrypted/);
  });
});
