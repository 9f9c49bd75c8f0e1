/**
 * `npm run render` on the tests' own stack file: the files are exactly what the host resources
 * write (the same renderers), secrets from same-named environment variables or visible placeholders.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs, render, stackConfig } from "../../render/cli";
import { fetchmailDump, postmapQuery } from "../providers/pmghost/realTools";

const ROOT = path.join(__dirname, "..", "..");
const STACK = fs.readFileSync(path.join(ROOT, "tests", "fixtures", "stack", "Pulumi.test.yaml"), "utf8");

describe("npm run render", () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));
  const read = (f: string) => fs.readFileSync(path.join(out, f), "utf8");

  it("writes placeholders where no secret is given, never an empty or invented password", () => {
    const files = render(STACK, {}, out);
    expect(files.map((f) => f.hostPath).sort()).toEqual([
      "/etc/default/fetchmail",
      "/etc/pmg/templates/fetchmailrc.tt",
      "/etc/pmg/templates/main.cf.in",
      "/etc/postfix/sasl_passwd",
      "/etc/postfix/smarthost_tls_policy",
    ]);
    expect(read("etc/postfix/sasl_passwd")).toContain(":PLACEHOLDER-set-env-gmailSmarthostPassword\n");
    expect(read("etc/pmg/templates/fetchmailrc.tt.block")).toContain(
      'password "PLACEHOLDER-set-env-gmailFetchmailPassword"',
    );
    expect(fs.statSync(path.join(out, "etc/postfix/sasl_passwd")).mode & 0o777).toBe(0o600);
    expect(read("INDEX.txt")).toMatch(
      /etc\/postfix\/sasl_passwd\n {2}-> \/etc\/postfix\/sasl_passwd \(mode 600\)/,
    );
  });

  it("takes each secret from the environment variable of the same name, and the real tools read the files as declared", () => {
    render(
      STACK,
      { gmailFetchmailPassword: 'fm "test" pw', gmailSmarthostPassword: "smarthost-test-pw" },
      out,
    );
    const block = read("etc/pmg/templates/fetchmailrc.tt.block").replace(/\[% [a-z_.]+ %\]/g, "25");
    const dump = fetchmailDump(`set daemon 300\n${block}`);
    expect(dump.servers[0].users[0]).toMatchObject({ password: 'fm "test" pw', mda: null });
    expect(dump.servers[0].users[0].localnames).toContain("thehive@example.net");
    const [sasl] = postmapQuery(read("etc/postfix/sasl_passwd"), ["smtp.gmail.com:587"]);
    expect(sasl).toMatch(/:smarthost-test-pw$/);
    const [policy] = postmapQuery(read("etc/postfix/smarthost_tls_policy"), ["smtp.gmail.com:587"]);
    expect(policy).toBe("secure match=smtp.gmail.com tafile=/etc/ssl/certs/ca-certificates.crt");
    expect(read("etc/pmg/templates/main.cf.in.block")).not.toMatch(/smtp_tls_security_level/);
  });

  it("reads only plain homelab-mail keys from the stack file, and refuses a bad config naming the key", () => {
    const cfg = stackConfig(
      "config:\n  homelab-mail:pmgPassword:\n    secure: v1:abc\n  other:key: 1\n  homelab-mail:x: 2\n",
    );
    expect(cfg).toEqual({ x: 2 });
    const bad = STACK.replace(/port: 587/, "port: 465");
    expect(() => render(bad, {}, out)).toThrow(/homelab-mail:pmg\.smarthost\.port.*465/);
    expect(() => parseArgs(["--out", out])).toThrow(/usage: npm run render/);
  });

  it("runs as the npm script", () => {
    const stack = path.join(out, "Pulumi.t.yaml");
    fs.writeFileSync(stack, STACK);
    const said = execFileSync(
      "bash",
      [
        "scripts/with-node.sh",
        "node",
        "-r",
        "ts-node/register/transpile-only",
        "render/cli.ts",
        "--stack-file",
        stack,
        "--out",
        path.join(out, "o"),
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, gmailSmarthostPassword: "cli-test-pw" } },
    );
    expect(said).toContain("/etc/postfix/sasl_passwd");
    expect(fs.readFileSync(path.join(out, "o/etc/postfix/sasl_passwd"), "utf8")).toContain(":cli-test-pw\n");
  });
});
