import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { startPmgHostBed, type PmgHostBed } from "./server";

const digest = (p: string) =>
  fs.existsSync(p) ? createHash("sha256").update(fs.readFileSync(p)).digest("hex") : "absent";
const MACHINE_FILES = [
  "/etc/passwd",
  "/etc/postfix/main.cf",
  "/etc/default/fetchmail",
  "/etc/fetchmailrc",
  "/etc/hostname",
];

describe("the PMG host test bed", () => {
  let bed: PmgHostBed;
  let before: string[];
  beforeAll(async () => {
    before = MACHINE_FILES.map(digest);
    bed = await startPmgHostBed();
  });
  afterAll(() => bed?.close());

  it("serves PMG's paths from its own root, with PMG's default template rendered, and shadows nothing of this machine", async () => {
    const r = await bed.sh(
      "hostname; id -un; ls /var/lib/pmg/templates; postconf -h default_transport; command -v pmgconfig systemctl fetchmail postmap",
    );
    expect(r.stdout.split("\n")).toEqual([
      "pmg",
      "root",
      "fetchmailrc.tt",
      "main.cf.in",
      "smtp:smtp.gmail.com:587",
      "/usr/local/sbin/pmgconfig",
      "/usr/local/sbin/systemctl",
      "/usr/bin/fetchmail",
      "/usr/sbin/postmap",
      "",
    ]);
    // The bed's mounts live only in its namespace: here its /usr is an empty mountpoint.
    expect(fs.readdirSync(bed.path("usr"))).toEqual([]);
    expect(fs.readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(bed.root);
    expect(MACHINE_FILES.map(digest)).toEqual(before);
  });

  it("records pmgconfig calls and renders the override with the real Template Toolkit, checked by postconf", async () => {
    fs.mkdirSync(bed.path("etc/pmg/templates"), { recursive: true });
    const template = fs.readFileSync(bed.path("var/lib/pmg/templates/main.cf.in"), "utf8");
    fs.writeFileSync(bed.path("etc/pmg/templates/main.cf.in"), `${template}smtp_sasl_auth_enable = yes\n`);
    try {
      expect((await bed.sh("pmgconfig sync --restart 1 && postconf -h smtp_sasl_auth_enable")).stdout).toBe(
        "yes\n",
      );
      expect(bed.calls("pmgconfig").slice(-1)).toEqual(["sync --restart 1"]);
      expect(bed.calls("systemctl").slice(-1)).toEqual(["reload postfix"]);
      fs.writeFileSync(bed.path("etc/pmg/templates/main.cf.in"), `${template}[% IF %]\n`);
      const broken = await bed.sh("pmgconfig sync --restart 1");
      expect([broken.code, broken.stderr]).toEqual([
        255,
        expect.stringMatching(/rendering main\.cf\.in failed/),
      ]);
      expect((await bed.sh("pmgconfig sync --restart")).stderr).toMatch(/unable to parse option/);
    } finally {
      fs.rmSync(bed.path("etc/pmg/templates/main.cf.in"));
      await bed.sh("pmgconfig sync --restart 0");
    }
  });

  it("starts fetchmail only as Debian's init script would: enabled, and with a file its user can read", async () => {
    expect(await bed.sh("systemctl restart fetchmail; systemctl is-active fetchmail")).toMatchObject({
      stdout: "inactive\n",
    });
    fs.writeFileSync(bed.path("etc/default/fetchmail"), "START_DAEMON=yes\n");
    fs.writeFileSync(bed.path("etc/fetchmailrc"), "set daemon 120\n", { mode: 0o600 }); // owned by root, not fetchmail
    try {
      const r = await bed.sh("systemctl restart fetchmail");
      expect([r.code, r.stderr]).toEqual([
        1,
        expect.stringMatching(/Job for fetchmail\.service failed: .*must be owned by you/),
      ]);
      fs.chownSync(bed.path("etc/fetchmailrc"), 991, 65534);
      expect(await bed.sh("systemctl restart fetchmail && systemctl is-active fetchmail")).toMatchObject({
        code: 0,
        stdout: "active\n",
      });
    } finally {
      fs.rmSync(bed.path("etc/fetchmailrc"));
    }
  });

  it("cleans up after itself: no root directory and no process left", async () => {
    const other = await startPmgHostBed();
    const root = other.root;
    await other.close();
    expect(fs.existsSync(root)).toBe(false);
    const left = fs
      .readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(root);
        } catch {
          return false;
        }
      });
    expect(left).toEqual([]);
  });
});
