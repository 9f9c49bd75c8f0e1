/**
 * Hostile host state (issue 14 items 5 and 8), through the provider host against the PMG host bed:
 * a symlink where a managed file belongs is refused, never followed and never given the link's
 * 0777; a copy of a secret never outlives a dropped SSH connection. Writes docs/hostile-host-files.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SMARTHOST_PARAMETERS } from "../../../components/PmgHost";
import { FETCHMAIL, SASL, startHostBed, TEMPLATE, type HostBed } from "./bed";

const rows: string[] = [];

describe("hostile state on the PMG host", () => {
  let hb: HostBed;
  beforeAll(async () => {
    hb = await startHostBed();
  });
  afterAll(async () => {
    await hb?.close();
    fs.writeFileSync(
      path.join(__dirname, "../../../docs/hostile-host-files.md"),
      [
        "# Hostile state on the PMG host",
        "",
        "Written by `tests/providers/pmghost/hostileHost.test.ts`, against the PMG host bed (real sshd,",
        "real fetchmail and Postfix tools) through Pulumi's provider host.",
        "",
        "| resource | hostile state | outcome |",
        "| --- | --- | --- |",
        ...rows,
        "",
      ].join("\n"),
    );
  });
  const at = (p: string) => hb.bed.path(p);
  const fetchmail = () => ({
    ...hb.target,
    server: "imap.gmail.com",
    user: "lab-service-box@example.com",
    localNames: ["thehive@example.net"],
    fallbackRecipient: "postmaster@example.net",
  });

  it.each([
    [TEMPLATE, "etc/pmg/templates/main.cf.in", () => ({ ...hb.target, parameters: SMARTHOST_PARAMETERS })],
    [
      SASL,
      "etc/postfix/sasl_passwd",
      () => ({ ...hb.target, relayHost: "smtp.gmail.com", relayPort: 587, username: "box@example.com" }),
    ],
    [FETCHMAIL, "etc/default/fetchmail", fetchmail],
    [FETCHMAIL, "etc/pmg/templates/fetchmailrc.tt", fetchmail],
  ] as const)("%s refuses a symlink at /%s, follows nothing, changes no mode", async (kind, rel, inputs) => {
    const target = at("root/target-of-link");
    fs.writeFileSync(target, "someone else's file\n", { mode: 0o600 });
    const original = fs.existsSync(at(rel)) ? fs.readFileSync(at(rel)) : undefined;
    fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
    fs.rmSync(at(rel), { force: true });
    fs.symlinkSync("/root/target-of-link", at(rel));
    try {
      const err = await hb.engine.up(kind, inputs()).catch((e: Error) => e);
      expect(String(err)).toMatch(
        new RegExp(
          `/${rel.replace(/\./g, "\\.")}.*it is a symlink to /root/target-of-link, not a regular file`,
        ),
      );
      expect(String(err)).toMatch(/replace it by hand with a regular file/);
      expect(fs.lstatSync(at(rel)).isSymbolicLink()).toBe(true);
      expect(fs.statSync(target).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(target, "utf8")).toBe("someone else's file\n");
      rows.push(
        `| ${kind} | /${rel} is a symlink | refused, naming the link and the fix; link, target and its mode unchanged |`,
      );
    } finally {
      fs.rmSync(at(rel), { force: true });
      if (original) fs.writeFileSync(at(rel), original);
      fs.rmSync(target, { force: true });
    }
  });

  it("leaves no copy of the fetchmail password on the host when SSH drops during `fetchmail --configdump`", async () => {
    // A fetchmail that takes its time reading the configuration (first on root's PATH in the bed),
    // and says when it started, so the connection is dropped while it runs.
    const slow = at(".testbed/bin/fetchmail");
    const started = at("var/lib/testbed/configdump-started");
    fs.writeFileSync(
      slow,
      '#!/bin/sh\ncase "$*" in *configdump*) touch /var/lib/testbed/configdump-started; sleep 3;; esac\nexec /usr/bin/fetchmail "$@"\n',
      { mode: 0o755 },
    );
    const logins = hb.bed.counters.logins;
    try {
      const up = hb.engine.up(FETCHMAIL, fetchmail()).catch((e: Error) => e);
      for (let i = 0; i < 200 && !fs.existsSync(started); i++) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(started)).toBe(true);
      await hb.bed.faults.dropConnections();
      await up; // failed, or retried on a new connection: either way, what is left on the host counts
    } finally {
      fs.rmSync(slow);
      fs.rmSync(started, { force: true });
    }
    await hb.bed.settle();
    expect(hb.bed.counters.logins).toBeGreaterThan(logins); // the session really was cut
    const found = await hb.bed.sh(
      `grep -rlF -- ${JSON.stringify(hb.secrets.fetchmail.slice(0, 8))} /tmp /root /etc /var /home 2>/dev/null || true`,
    );
    // Only the managed files may hold it (when the retried run completed): no temporary copy anywhere.
    const allowed = ["/etc/pmg/templates/fetchmailrc.tt", "/etc/pmg/fetchmailrc"];
    expect(found.stdout.split("\n").filter((f) => f && !allowed.includes(f))).toEqual([]);
    rows.push(
      "| pmghost:FetchmailConfig | SSH drops while fetchmail --configdump reads the account | no copy of the password outside the managed files: the text goes on stdin (`-f -`) |",
    );
  });

  it("removes what an interrupted write left next to a managed file", async () => {
    const stale = at("etc/pmg/templates/.main.cf.in.homelab-mail-0123456789ab");
    fs.mkdirSync(path.dirname(stale), { recursive: true });
    fs.writeFileSync(stale, "left by a dropped connection\n", { mode: 0o600 });
    const { state } = await hb.engine.up(TEMPLATE, { ...hb.target, parameters: SMARTHOST_PARAMETERS });
    expect(fs.existsSync(stale)).toBe(false);
    await hb.engine.destroy(state);
    rows.push(
      "| pmghost:PostfixTemplateBlock | a temporary file of an interrupted write beside the target | removed before the next write |",
    );
  });
});
