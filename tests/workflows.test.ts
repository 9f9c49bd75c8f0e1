import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { auditWorkflows, type Workflows } from "./workflows/audit";

const ROOT = path.join(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");
const CI_RUN = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");

/** Runs GitHub's own workflow parser over a folder (scripts/lint-workflows.mjs). */
function lint(dir: string): { file: string; errors: string[] }[] {
  const out = execFileSync(process.execPath, [path.join(ROOT, "scripts/lint-workflows.mjs"), dir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out);
}

const read = (file: string) => parse(fs.readFileSync(file, "utf8"));
const workflows = (): Workflows =>
  Object.fromEntries(["checks.yml", "preview.yml", "deploy.yml"].map((f) => [f, read(path.join(DIR, f))]));
const firstJob = (wf: any, name?: string) => (name ? wf.jobs[name] : Object.values<any>(wf.jobs)[0]);
const pulumiStep = (job: any) => job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));

describe("GitHub workflows", () => {
  it("pass GitHub's workflow parser", () => {
    expect(lint(DIR)).toEqual([
      { file: "checks.yml", errors: [] },
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

  it("hold every guard of the threat model (README, Pull-request previews)", () => {
    expect(auditWorkflows(workflows(), CI_RUN)).toEqual([]);
  });

  it("the audit refuses the workflows the red team read (issue 14, finding 1)", () => {
    const before = {
      "preview.yml": read(path.join(__dirname, "workflows/fixtures/preview-before-issue-14.yml")),
      "deploy.yml": read(path.join(__dirname, "workflows/fixtures/deploy-before-issue-14.yml")),
    };
    const found = auditWorkflows(before, CI_RUN).join("\n");
    for (const finding of [
      /preview.yml job preview: pull_request runs a pull request's code: it must not reach the lab runner or stack secrets/,
      /preview.yml job preview: privileged job without an environment/,
      /preview.yml job preview: `npm ci` runs install scripts/,
      /preview.yml job preview: runs tests, scripts or sudo on the lab runner/,
      /preview.yml job preview: refresh without PULUMI_RUN_PROGRAM=true/,
      /deploy.yml job up: `npm ci` runs install scripts/,
      /deploy.yml job up: runs tests, scripts or sudo on the lab runner/,
      /deploy.yml job up: refresh without PULUMI_RUN_PROGRAM=true/,
      /deploy.yml job up: the first step is not a guard/,
    ])
      expect(found).toMatch(finding);
  });

  // Each guard taken out of today's workflows, one at a time: the audit names what opens up.
  const mutations: [string, (w: any) => void, RegExp][] = [
    [
      "preview on pull_request",
      (w) => (w["preview.yml"].on = { pull_request: {} }),
      /privileged job triggered by pull_request/,
    ],
    [
      "pull_request_target",
      (w) => (w["checks.yml"].on.pull_request_target = {}),
      /pull_request_target runs PR code/,
    ],
    [
      "checks on the lab runner",
      (w) => (firstJob(w["checks.yml"])["runs-on"] = ["self-hosted", "homelab"]),
      /checks.yml job test: pull_request, workflow_call runs a pull request's code/,
    ],
    [
      "a stack secret in checks",
      (w) => (firstJob(w["checks.yml"]).env = { X: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" }),
      /checks.yml job test: .*must not reach the lab runner or stack secrets/,
    ],
    [
      "a write token for checks",
      (w) => (w["checks.yml"].permissions = { contents: "write" }),
      /checks.yml job test: a pull request's code gets a token that can write/,
    ],
    [
      "no preview environment",
      (w) => delete firstJob(w["preview.yml"]).environment,
      /preview.yml job preview: privileged job without an environment/,
    ],
    [
      "preview shares deploy's environment",
      (w) => (firstJob(w["preview.yml"]).environment = "homelab"),
      /approve previews separately/,
    ],
    [
      "no fork check",
      (w) =>
        (firstJob(w["preview.yml"]).if =
          "github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion == 'success'"),
      /head_repository.full_name == github.repository/,
    ],
    [
      "preview of the branch, not the commit",
      (w) => (firstJob(w["preview.yml"]).steps[1].with.ref = "${{ github.event.workflow_run.head_branch }}"),
      /other than the exact commit/,
    ],
    [
      "install scripts",
      (w) => (firstJob(w["preview.yml"]).steps[3].run = "npm ci"),
      /`npm ci` runs install scripts/,
    ],
    [
      "tests on the lab runner",
      (w) => firstJob(w["deploy.yml"], "up").steps.push({ run: "npm test" }),
      /deploy.yml job up: runs tests, scripts or sudo/,
    ],
    [
      "no guard",
      (w) => firstJob(w["deploy.yml"], "up").steps.shift(),
      /deploy.yml job up: the first step is not a guard/,
    ],
    [
      "a cache",
      (w) => (firstJob(w["preview.yml"]).steps[2].with.cache = "npm"),
      /a dependency cache a preview could poison/,
    ],
    [
      "credentials in .git/config",
      (w) => delete firstJob(w["deploy.yml"], "up").steps[1].with,
      /checkout leaves the token/,
    ],
    [
      "refresh on the old config",
      (w) => delete pulumiStep(firstJob(w["preview.yml"])).env.PULUMI_RUN_PROGRAM,
      /preview.yml job preview: refresh without PULUMI_RUN_PROGRAM=true/,
    ],
    [
      "up refreshes on the old config",
      (w) => (pulumiStep(firstJob(w["deploy.yml"], "up")).env.PULUMI_RUN_PROGRAM = "false"),
      /deploy.yml job up: refresh without PULUMI_RUN_PROGRAM=true/,
    ],
    [
      "outputs printed",
      (w) => delete pulumiStep(firstJob(w["preview.yml"])).with["suppress-outputs"],
      /stack outputs are printed/,
    ],
    [
      "a secret in a shell step",
      (w) =>
        firstJob(w["deploy.yml"], "up").steps.push({
          run: "echo x",
          env: { K: "${{ secrets.STATE_SECRET_ACCESS_KEY }}" },
        }),
      /a shell step gets a secret in env/,
    ],
    [
      "a missing test tool",
      (w) => (firstJob(w["checks.yml"]).steps[2].run = "sudo apt-get install -y openssl"),
      /does not install bind9, which .ci\/run installs/,
    ],
  ];
  it.each(mutations)("the audit notices: %s", (_name, mutate, problem) => {
    const w = workflows();
    mutate(w);
    expect(auditWorkflows(w, CI_RUN).join("\n")).toMatch(problem);
  });

  it("preview comments `pulumi preview --diff` on its PR, from a self-managed backend", () => {
    const step = pulumiStep(firstJob(read(path.join(DIR, "preview.yml"))));
    expect(step.uses).toBe("pulumi/actions@v7");
    expect(step.with).toMatchObject({
      command: "preview",
      diff: true,
      refresh: true,
      "comment-on-pr": true,
      "comment-on-pr-number": "${{ github.event.workflow_run.pull_requests[0].number }}",
      "stack-name": "homelab",
    });
    expect(step.with["cloud-url"]).toMatch(/\$\{\{ vars\.\w+ \}\}/);
    expect(step.env).toMatchObject({
      PULUMI_RUN_PROGRAM: "true",
      PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
    });
  });

  it("shares one concurrency group between preview and deploy, on the lab's self-hosted runner", () => {
    const preview = read(path.join(DIR, "preview.yml"));
    const deploy = read(path.join(DIR, "deploy.yml"));
    expect(preview.concurrency).toEqual(deploy.concurrency);
    expect(preview.concurrency["cancel-in-progress"]).toBe(false);
    expect(firstJob(preview)["runs-on"]).toContain("self-hosted");
    expect(firstJob(deploy, "up")["runs-on"]).toContain("self-hosted");
    expect(firstJob(deploy, "up").needs).toBe("checks");
    expect(firstJob(deploy, "checks").uses).toBe("./.github/workflows/checks.yml");
    expect(pulumiStep(firstJob(deploy, "up")).with.command).toBe("up");
  });
});
