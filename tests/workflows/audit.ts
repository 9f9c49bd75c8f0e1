/**
 * The guards of README "Pull-request previews", checked on the workflow files themselves: each
 * problem names the file, the job and what a pull request could do through it. Pure: takes the
 * parsed workflows (and .ci/run's text), returns the problems.
 */
export type Workflows = Record<string, any>;

/** Events that run a pull request's own workflow file and code (pull_request_target: the PR's code with the base's secrets). */
const UNTRUSTED = ["pull_request", "pull_request_target", "issue_comment", "workflow_call"];
/** The only triggers a job holding stack secrets or the lab runner may have. */
const TRUSTED = ["push", "workflow_dispatch", "workflow_run"];

const events = (wf: any): string[] =>
  typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on ?? {});
const onLab = (job: any) => [job["runs-on"]].flat().includes("self-hosted");
const stackSecrets = (job: any) =>
  [...JSON.stringify(job).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]).filter((s) => s !== "GITHUB_TOKEN");
const steps = (job: any): any[] => job.steps ?? [];
const runs = (job: any): string[] => steps(job).flatMap((s) => (s.run ? [String(s.run)] : []));

export function auditWorkflows(workflows: Workflows, ciRun: string): string[] {
  const problems: string[] = [];
  for (const [file, wf] of Object.entries(workflows)) {
    const on = events(wf);
    if (on.includes("pull_request_target"))
      problems.push(
        `${file}: pull_request_target runs PR code with this repository's secrets and a write token`,
      );
    for (const [name, job] of Object.entries<any>(wf.jobs ?? {})) {
      const at = `${file} job ${name}`;
      const say = (p: string) => problems.push(`${at}: ${p}`);
      const privileged = onLab(job) || stackSecrets(job).length > 0;
      for (const r of runs(job)) {
        if (/secrets\./.test(r)) say("a shell step sees a secret (it could print it)");
        for (const m of r.matchAll(/npm (ci|install|i)\b[^\n]*/g))
          if (!/--ignore-scripts/.test(m[0])) say(`\`${m[0]}\` runs install scripts`);
      }
      for (const s of steps(job))
        if (s.run && /secrets\./.test(JSON.stringify(s.env ?? {}))) say("a shell step gets a secret in env");
      if (JSON.stringify(job).includes("show-secrets")) say("--show-secrets prints every secret");
      for (const s of steps(job).filter((x) => String(x.uses).startsWith("pulumi/actions@"))) {
        const w = s.with ?? {};
        const refreshes = w.refresh === true || ["refresh", "destroy"].includes(w.command);
        if (refreshes && s.env?.PULUMI_RUN_PROGRAM !== "true")
          say(
            "refresh without PULUMI_RUN_PROGRAM=true uses the last up's provider config (pulumi/pulumi#18764)",
          );
        if (["preview", "up"].includes(w.command) && w["suppress-outputs"] !== true)
          say("stack outputs are printed (suppress-outputs: true)");
      }
      if (on.some((e) => UNTRUSTED.includes(e)) && privileged)
        say(`${on.join(", ")} runs a pull request's code: it must not reach the lab runner or stack secrets`);
      if (on.some((e) => UNTRUSTED.includes(e))) {
        const perms = job.permissions ?? wf.permissions;
        if (!perms || Object.values(perms).some((p) => p !== "read" && p !== "none"))
          say("a pull request's code gets a token that can write");
      }
      if (!privileged) continue;
      if (!on.every((e) => TRUSTED.includes(e))) say(`privileged job triggered by ${on.join(", ")}`);
      if (!job.environment)
        say("privileged job without an environment (no approval gate, secrets not scoped)");
      if (runs(job).some((r) => /\bnpm (test|run|exec)\b|\bnpx\b|\bsudo\b/.test(r)))
        say("runs tests, scripts or sudo on the lab runner");
      for (const s of steps(job)) {
        if (String(s.uses).startsWith("actions/setup-node@") && s.with?.cache)
          say("a dependency cache a preview could poison for the next deploy");
        if (String(s.uses).startsWith("actions/checkout@") && s.with?.["persist-credentials"] !== false)
          say("checkout leaves the token in .git/config on the persistent runner");
      }
      const guard = steps(job)[0];
      if (!guard?.run || !/id -u/.test(guard.run) || !/exit 1/.test(guard.run))
        say("the first step is not a guard that refuses (root runner, wrong ref or fork)");
      if (on.includes("workflow_run")) {
        const cond = String(job.if ?? "");
        for (const need of [
          "github.event.workflow_run.event == 'pull_request'",
          "github.event.workflow_run.conclusion == 'success'",
          "github.event.workflow_run.head_repository.full_name == github.repository",
        ])
          if (!cond.includes(need)) say(`runs without \`${need}\``);
        for (const s of steps(job).filter((x) => String(x.uses).startsWith("actions/checkout@")))
          if (s.with?.ref !== "${{ github.event.workflow_run.head_sha }}")
            say("checks out something other than the exact commit checks ran on");
        if (/^homelab$/.test(String(job.environment?.name ?? job.environment)))
          say("a preview shares the deploy environment: approve previews separately (homelab-preview)");
      }
      if (on.includes("push") && !/refs\/heads\/main/.test(JSON.stringify(job)))
        say("deploys from a ref other than main");
    }
  }
  const pairs = /for pair in ([^;]*);/.exec(ciRun)?.[1] ?? "";
  const wanted = pairs.split(/\s+/).flatMap((p) => (p.includes(":") ? [p.split(":")[1]] : []));
  for (const extra of ["libtemplate-perl", "dovecot-imapd"]) if (ciRun.includes(extra)) wanted.push(extra);
  const installs = Object.values(workflows)
    .flatMap((wf) => Object.values<any>(wf.jobs ?? {}).flatMap(runs))
    .join("\n");
  for (const pkg of wanted)
    if (!new RegExp(`apt-get install[^\\n]*\\b${pkg}\\b`).test(installs))
      problems.push(`the test job does not install ${pkg}, which .ci/run installs`);
  return problems;
}
