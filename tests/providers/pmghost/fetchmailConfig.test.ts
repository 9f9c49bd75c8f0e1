import * as fs from "node:fs";
import { parseConfigDump } from "../../../providers/pmghost/configDump";
import { CheckFailed } from "../engine";
import { FETCHMAIL, startHostBed, type HostBed } from "./bed";

const declared = (bed: HostBed, extra: Record<string, unknown> = {}) => ({
  ...bed.target,
  server: "imap.gmail.com",
  user: "lab-service-box@example.com",
  folder: "INBOX",
  pollSeconds: 120,
  ...extra,
});

describe("FetchmailConfig through the provider host against a real sshd", () => {
  let hb: HostBed;
  beforeAll(async () => {
    hb = await startHostBed();
  });
  afterAll(() => hb?.close());

  /** What the host's real fetchmail, running as the fetchmail user, reads from /etc/fetchmailrc. */
  const daemonView = async () => {
    const r = await hb.bed.sh(
      "setpriv --reuid=fetchmail --regid=nogroup --clear-groups fetchmail -f /etc/fetchmailrc --configdump",
    );
    expect(r.stderr).toBe("");
    return parseConfigDump(r.stdout).servers[0].users[0];
  };
  const restarts = () => hb.bed.calls("systemctl").filter((c) => c === "restart fetchmail").length;
  const rc = () => hb.bed.path("etc/fetchmailrc");

  it("runs the whole lifecycle: create, no-op, change, hand edit, PMG takeover, delete", async () => {
    const { engine, bed, secrets } = hb;
    expect(
      fs.existsSync("/etc/fetchmailrc") &&
        fs.readFileSync("/etc/fetchmailrc", "utf8").includes("lab-service-box"),
    ).toBe(false);

    const created = await engine.up(FETCHMAIL, declared(hb));
    expect(created.step).toBe("create");
    expect(created.state.outputs).toMatchObject({
      writes: 1,
      takenOverBy: null,
      daemonEnabled: true,
      permissionsOk: true,
    });
    const st = fs.statSync(rc());
    expect([st.mode & 0o777, st.uid]).toEqual([0o600, 991]);
    expect(await daemonView()).toMatchObject({
      user: "lab-service-box@example.com",
      password: secrets.fetchmail,
      folders: ["INBOX"],
      fetchall: true,
      keep: false,
    });
    expect(fs.readFileSync(bed.path("etc/default/fetchmail"), "utf8")).toMatch(/^START_DAEMON=yes$/m);
    expect(bed.calls("systemctl")).toEqual(expect.arrayContaining(["enable fetchmail", "restart fetchmail"]));
    expect(restarts()).toBe(1);
    // Nothing of this machine's own /etc was written: the bed's /etc is a directory of its own.
    expect(fs.existsSync("/etc/fetchmailrc")).toBe(false);

    const same = await engine.up(FETCHMAIL, declared(hb), created.state);
    expect(same.step).toBe("same");
    expect(restarts()).toBe(1);

    const changed = await engine.up(
      FETCHMAIL,
      declared(hb, { folder: "Service box", pollSeconds: 300 }),
      same.state,
    );
    expect(changed.step).toBe("update");
    expect(changed.state.outputs.writes).toBe(2);
    expect((await daemonView()).folders).toEqual(["Service box"]);
    expect(restarts()).toBe(2);

    // A hand edit shows on refresh as what fetchmail now reads, and the next up reverts it.
    fs.writeFileSync(
      rc(),
      fs.readFileSync(rc(), "utf8").replace('folder "Service box"', 'folder "Hand-picked"'),
    );
    const refreshed = (await engine.refresh(changed.state))!;
    expect(refreshed.outputs.folder).toBe("Hand-picked");
    expect(refreshed.outputs.sha256).not.toBe(changed.state.outputs.sha256);
    const reverted = await engine.up(
      FETCHMAIL,
      declared(hb, { folder: "Service box", pollSeconds: 300 }),
      refreshed,
    );
    expect(reverted.step).toBe("update");
    expect((await daemonView()).folders).toEqual(["Service box"]);

    // PMG's own fetchmail API replaces the file with a link to its own: reported, and not overwritten.
    fs.writeFileSync(bed.path("etc/pmg/fetchmailrc"), "# proxmox settings (Do not delete this marker!!)\n", {
      mode: 0o600,
    });
    fs.rmSync(rc());
    fs.symlinkSync("/etc/pmg/fetchmailrc", rc());
    const taken = (await engine.refresh(reverted.state))!;
    expect(taken.outputs.takenOverBy).toBe("/etc/pmg/fetchmailrc");
    await expect(
      engine.up(FETCHMAIL, declared(hb, { folder: "Service box", pollSeconds: 300 }), taken),
    ).rejects.toThrow(
      /symlink to \/etc\/pmg\/fetchmailrc: PMG's own fetchmail API has taken it over[\s\S]*homelab-mail:adoptExisting true/,
    );
    expect(fs.lstatSync(rc()).isSymbolicLink()).toBe(true);

    await engine.destroy(taken);
    expect(fs.lstatSync(rc()).isSymbolicLink()).toBe(true); // PMG's link is PMG's
    fs.rmSync(rc());
    fs.writeFileSync(rc(), "set daemon 60\n");
    await engine.destroy(taken);
    expect(fs.existsSync(rc())).toBe(false);
    expect(fs.readFileSync(bed.path("etc/default/fetchmail"), "utf8")).toMatch(/^START_DAEMON=no$/m);
    expect(bed.calls("systemctl").slice(-2)).toEqual(["stop fetchmail", "disable fetchmail"]);
    await engine.destroy(taken); // already gone: done
  });

  it("refuses an existing different file, adopts an identical one, and overwrites only when told to", async () => {
    const handMade =
      'set daemon 120\npoll imap.gmail.com protocol IMAP user "lab-service-box@example.com" password "old" folder "Other"\n';
    fs.writeFileSync(rc(), handMade, { mode: 0o600 });
    fs.chownSync(rc(), 991, 65534);
    await expect(hb.engine.up(FETCHMAIL, declared(hb))).rejects.toThrow(
      /already exists and differs from the declaration \(differs in .*password, folder/,
    );
    expect(fs.readFileSync(rc(), "utf8")).toBe(handMade);
    const err = await hb.engine.up(FETCHMAIL, declared(hb)).catch((e: Error) => e);
    expect(String(err)).not.toContain(hb.secrets.fetchmail);

    const adopting = await hb.engineWith({ extra: { "homelab-mail:adoptExisting": "true" } });
    const adopted = await adopting.up(FETCHMAIL, declared(hb));
    expect(adopted.state.outputs.writes).toBe(1);
    const again = await hb.engine.up(FETCHMAIL, declared(hb));
    expect([again.step, again.state.outputs.writes]).toEqual(["create", 0]); // identical: adopted, nothing written
    await hb.engine.destroy(again.state);
  });

  it("keeps hostile inputs and password intact on the host, and runs none of them", async () => {
    const user = `'; touch /tmp/pwned-4 #"$HOME`;
    const folder = "$(touch /tmp/pwned-5) ; `x`";
    const { state } = await hb.engine.up(FETCHMAIL, declared(hb, { user, folder }));
    expect(hb.secrets.fetchmail).toMatch(/\$\(touch.*`.*"it's" \\x41 #$/);
    expect(await daemonView()).toMatchObject({ user, password: hb.secrets.fetchmail, folders: [folder] });
    expect((await hb.bed.sh("ls /tmp | grep -c pwned || true")).stdout.trim()).toBe("0");
    await hb.engine.destroy(state);
  });

  it("rejects values fetchmail or IMAP cannot carry in check, before connecting, naming the property", async () => {
    const before = hb.bed.counters.connections;
    const bad = declared(hb, { user: "a\nb", folder: 'a"b', pollSeconds: 5, server: "imap gmail.com" });
    const failures = await hb.engine.check(FETCHMAIL, bad).catch((e: CheckFailed) => e.failures);
    expect((failures as { property: string }[]).map((f) => f.property).sort()).toEqual([
      "folder",
      "pollSeconds",
      "server",
      "user",
    ]);
    const badSecrets = await hb.engineWith({ secrets: { fetchmail: "nul\0byte", smarthost: "line\nbreak" } });
    await expect(badSecrets.check(FETCHMAIL, declared(hb))).rejects.toThrow(
      /password: homelab-mail:gmailFetchmailPassword must be printable ASCII/,
    );
    const sasl = { ...hb.target, relayHost: "smtp.gmail.com", relayPort: 587, username: "a@example.com" };
    await expect(badSecrets.check("pmghost:SaslPasswordMap", sasl)).rejects.toThrow(
      /password: homelab-mail:gmailSmarthostPassword must be printable ASCII/,
    );
    expect(hb.bed.counters.connections).toBe(before);
  });
});
