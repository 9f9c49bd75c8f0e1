import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { SECRET_KEYS } from "../lib/config";

const ROOT = path.join(__dirname, "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

describe("Pulumi.yaml", () => {
  const project = parse(read("Pulumi.yaml"));

  it("validates against Pulumi's own project schema", () => {
    const schema = JSON.parse(read("tests/data/pulumi-project.schema.json"));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const valid = ajv.validate(schema, project);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("is the homelab-mail project on the TypeScript nodejs runtime", () => {
    expect(project.name).toBe("homelab-mail");
    expect(project.runtime).toMatchObject({ name: "nodejs", options: { typescript: true } });
  });

  it("declares only pmgPassword among the secrets: the others are needed only with their block", () => {
    // A declared key without a default is required by the engine (tests/engineConfigRule.test.ts).
    const declared = SECRET_KEYS.filter((k) => project.config[k] !== undefined);
    expect(declared).toEqual(["pmgPassword"]);
    expect(project.config.pmgPassword).toMatchObject({
      type: "string",
      secret: true,
      description: expect.any(String),
    });
  });

  it("gives every declared key a type and a description", () => {
    for (const [key, decl] of Object.entries<Record<string, unknown>>(project.config)) {
      expect([key, typeof decl.description]).toEqual([key, "string"]);
      expect(["string", "integer", "boolean", "array"]).toContain(decl.type);
    }
  });
});

describe("the tests' own stack config (tests/fixtures/stack/Pulumi.test.yaml)", () => {
  const stack = read("tests/fixtures/stack/Pulumi.test.yaml");

  it("holds no secret values", () => {
    expect(stack).not.toMatch(/secure:/);
    const keys = Object.keys(parse(stack).config);
    for (const secret of SECRET_KEYS) expect(keys).not.toContain(`homelab-mail:${secret}`);
  });

  it("uses only documentation names and addresses", () => {
    const domains = [...stack.matchAll(/@([a-z0-9.-]+)/g)].map((m) => m[1]).filter((d) => d !== "pam");
    for (const d of domains) expect(d).toMatch(/^example\.(net|org|com)$/);
    const ips = [...stack.matchAll(/\b(\d+\.\d+\.\d+)\.\d+/g)].map((m) => m[1]);
    for (const ip of ips) expect(["192.0.2", "198.51.100", "203.0.113"]).toContain(ip);
  });
});

describe("the user's stack config", () => {
  // Pulumi.homelab.yaml is the stack `homelab`'s config, which the user edits in place (README,
  // "Setting up a stack"): a test that read it would fail as soon as the user configured their stack.
  it("is read by no test, bench or verify code", () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (/\.[cm]?[jt]s$/.test(e.name) && rel !== path.join("tests", "project.test.ts")) {
          if (/Pulumi\.homelab\.yaml|Pulumi\.\$\{|"Pulumi\." *\+/.test(read(rel))) offenders.push(rel);
        }
      }
    };
    for (const dir of ["tests", "bench", "verify"]) walk(dir);
    expect(offenders).toEqual([]);
  });
});
