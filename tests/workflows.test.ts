import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");

/** Runs GitHub's own workflow parser over a folder (scripts/lint-workflows.mjs). */
function lint(dir: string): { file: string; errors: string[] }[] {
  const out = execFileSync(process.execPath, [path.join(ROOT, "scripts/lint-workflows.mjs"), dir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out);
}

const workflow = (name: string) => parse(fs.readFileSync(path.join(DIR, name), "utf8"));
const pulumiStep = (wf: any) =>
  Object.values<any>(wf.jobs)[0].steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));

describe("GitHub workflows", () => {
  it("pass GitHub's workflow parser", () => {
    expect(lint(DIR)).toEqual([
      { file: "deploy.yml", errors: [] },
      { file: "preview.yml", errors: [] },
    ]);
  });

  it("are linted for real: a broken workflow is reported", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wf-"));
    fs.writeFileSync(
      path.join(dir, "bad.yml"),
      "on: push\njobs:\n  x:\n    runs-on: [self-hosted]\n    stepz: []\n",
    );
    expect(lint(dir)[0].errors.join("\n")).toMatch(/Unexpected value 'stepz'/);
  });

  it("preview comments `pulumi preview --diff` on the PR from a self-managed backend", () => {
    const wf = workflow("preview.yml");
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    const step = pulumiStep(wf);
    expect(step.uses).toBe("pulumi/actions@v7");
    expect(step.with).toMatchObject({
      command: "preview",
      diff: true,
      "comment-on-pr": true,
      "stack-name": "homelab",
    });
    expect(step.with["cloud-url"]).toMatch(/\$\{\{ vars\.\w+ \}\}/);
    expect(step.env.PULUMI_CONFIG_PASSPHRASE).toBe("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
    expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("shares one concurrency group between preview and deploy, on the lab's self-hosted runner", () => {
    const preview = workflow("preview.yml");
    const deploy = workflow("deploy.yml");
    expect(preview.concurrency).toEqual(deploy.concurrency);
    expect(preview.concurrency["cancel-in-progress"]).toBe(false);
    for (const wf of [preview, deploy])
      expect(Object.values<any>(wf.jobs)[0]["runs-on"]).toContain("self-hosted");
    expect(pulumiStep(deploy).with.command).toBe("up");
  });

  it("never hands a secret to a shell step, where it could be printed", () => {
    for (const name of ["preview.yml", "deploy.yml"]) {
      for (const step of Object.values<any>(workflow(name).jobs)[0].steps) {
        if (step.run)
          expect([name, step.run, JSON.stringify(step.env ?? {})].join(" ")).not.toMatch(/secrets\./);
      }
    }
  });
});
