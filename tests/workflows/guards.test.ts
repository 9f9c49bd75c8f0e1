/**
 * The first step of each lab job, run for real in bash: it must refuse a fork, a failed check, a
 * push, a missing pull request, another ref and a root runner (a stand-in `id` answers `id -u`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

const DIR = path.join(__dirname, "..", "..", ".github", "workflows");
const read = (file: string) => parse(fs.readFileSync(path.join(DIR, file), "utf8"));
const firstJob = (wf: any, name?: string) => (name ? wf.jobs[name] : Object.values<any>(wf.jobs)[0]);

describe("the lab jobs' guard steps", () => {
  /** Runs a job's Guard step in bash with the given contexts, `id -u` answering `uid`. */
  function guard(file: string, job: string | undefined, values: Record<string, string>, uid: string) {
    const step = firstJob(read(file), job).steps[0];
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "guard-"));
    fs.writeFileSync(path.join(bin, "id"), `#!/bin/sh\necho ${uid}\n`, { mode: 0o755 });
    const env: Record<string, string> = { PATH: `${bin}:${process.env.PATH}` };
    for (const [k, expr] of Object.entries<string>(step.env))
      env[k] = values[/\$\{\{ (.*) \}\}/.exec(expr)![1]] ?? "";
    const r = spawnSync("bash", ["-e", "-c", step.run], { env, encoding: "utf8" });
    return { code: r.status, out: r.stdout };
  }

  const pr = {
    "github.event.workflow_run.event": "pull_request",
    "github.event.workflow_run.conclusion": "success",
    "github.event.workflow_run.head_repository.full_name": "lab/homelab-mail",
    "github.repository": "lab/homelab-mail",
    "github.event.workflow_run.head_sha": "0123456789abcdef0123456789abcdef01234567",
    "github.event.workflow_run.pull_requests[0].number": "42",
  };
  it.each([
    [
      "a fork",
      { "github.event.workflow_run.head_repository.full_name": "someone/homelab-mail" },
      "1000",
      /a fork/,
    ],
    [
      "failed checks",
      { "github.event.workflow_run.conclusion": "failure" },
      "1000",
      /checks concluded failure/,
    ],
    ["a push", { "github.event.workflow_run.event": "push" }, "1000", /not a pull request/],
    [
      "no pull request",
      { "github.event.workflow_run.pull_requests[0].number": "" },
      "1000",
      /no pull request/,
    ],
    ["a root runner", {}, "0", /runs as root/],
  ])("the preview guard refuses %s", (_n, change, uid, why) => {
    const r = guard("preview.yml", undefined, { ...pr, ...change }, uid);
    expect([r.code, r.out]).toEqual([1, expect.stringMatching(why)]);
  });

  it("the preview guard lets a reviewed pull request of this repository through", () => {
    expect(guard("preview.yml", undefined, pr, "1000")).toEqual({ code: 0, out: "" });
  });

  it("the deploy guard refuses another ref and a root runner, and passes main", () => {
    expect(guard("deploy.yml", "up", { "github.ref": "refs/heads/feature" }, "1000").code).toBe(1);
    expect(guard("deploy.yml", "up", { "github.ref": "refs/heads/main" }, "0").code).toBe(1);
    expect(guard("deploy.yml", "up", { "github.ref": "refs/heads/main" }, "1000")).toEqual({
      code: 0,
      out: "",
    });
  });
});
