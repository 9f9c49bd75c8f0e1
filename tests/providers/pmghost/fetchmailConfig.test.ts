/**
 * FetchmailConfig through the provider host against the PMG host bed: the account as a block in
 * PMG's fetchmail template override, /etc/pmg/fetchmailrc rendered by (a double of) PMG's own
 * writer beside PMG's GUI entries, /etc/fetchmailrc PMG's link, and the daemon kept on.
 */
import * as fs from "node:fs";
import { parseConfigDump } from "../../../providers/pmghost/configDump";
import { MANAGED_START } from "../../../providers/pmghost/daemonDefaults";
import { BEGIN } from "../../../providers/pmghost/fetchmailrc";
import { CheckFailed } from "../engine";
import { FETCHMAIL, startHostBed, type HostBed } from "./bed";

const SERVICE = ["thehive@example.net", "noreply@example.net", "noreply@example.org"];
const declared = (bed: HostBed, extra: Record<string, unknown> = {}) => ({
  ...bed.target,
  server: "imap.gmail.com",
  user: "lab-service-box@example.com",
  folder: "INBOX",
  pollSeconds: 300,
  localNames: SERVICE,
  fallbackRecipient: "postmaster@example.net",
  ...extra,
});

/** What PMG's fetchmail API does on a POST or DELETE: read, change, write, under its lock (API2/Fetchmail.pm). */
const pmgApi = (hb: HostBed, change: string) =>
  hb.bed.sh(
    `perl -e 'use PMG::Config; use PMG::Fetchmail; use PVE::INotify; PMG::Config::lock_config(sub { my $c = PVE::INotify::read_file("fetchmailrc"); ${change}; PVE::INotify::write_file("fetchmailrc", $c); }, "x");'`,
  );
const GUI_ENTRY = `$c->{proxmox0000} = { server => "pop.example.com", protocol => "pop3", user => "gui", pass => "guipass", target => "gui\\@example.net", enable => 1, ssl => 1 }`;

describe("FetchmailConfig through the provider host against a real sshd", () => {
  let hb: HostBed;
  beforeAll(async () => {
    hb = await startHostBed();
  });
  afterAll(() => hb?.close());

  /** What the host's real fetchmail, as the fetchmail user, reads from /etc/fetchmailrc. */
  const daemonView = async () => {
    const r = await hb.bed.sh(
      "setpriv --reuid=fetchmail --regid=nogroup --clear-groups fetchmail -f /etc/fetchmailrc --configdump",
    );
    expect(r.stderr).toBe("");
    return parseConfigDump(r.stdout);
  };
  const ours = async () => {
    const d = await daemonView();
    return d.servers.find((s) => s.server === "imap.gmail.com")!.users[0];
  };
  /** What Debian's init script sees after sourcing /etc/default/fetchmail. */
  const initScriptStarts = async () =>
    (await hb.bed.sh("START_DAEMON=no; . /etc/default/fetchmail; echo $START_DAEMON")).stdout.trim() ===
    "yes";
  const restarts = () => hb.bed.calls("systemctl").filter((c) => c === "restart fetchmail").length;
  const at = (p: string) => hb.bed.path(p);

  it("runs the lifecycle the PMG way: template block, PMG's render, PMG's link, GUI entries beside ours, delete", async () => {
    const { engine, secrets } = hb;
    const created = await engine.up(FETCHMAIL, declared(hb));
    expect(created.step).toBe("create");
    expect(created.state.outputs).toMatchObject({
      writes: 1,
      takenOverBy: null,
      daemonEnabled: true,
      permissionsOk: true,
      pmgAccounts: 0,
    });
    const tt = fs.statSync(at("etc/pmg/templates/fetchmailrc.tt"));
    expect([tt.mode & 0o777, tt.uid]).toEqual([0o600, 0]);
    const rendered = fs.statSync(at("etc/pmg/fetchmailrc"));
    expect([rendered.mode & 0o777, rendered.uid]).toEqual([0o600, 991]);
    expect(fs.readlinkSync(at("etc/fetchmailrc"))).toBe("/etc/pmg/fetchmailrc");
    const view = await daemonView();
    expect(view.postmaster).toBe("postmaster@example.net");
    expect(await ours()).toMatchObject({
      user: "lab-service-box@example.com",
      password: secrets.fetchmail,
      localnames: [...SERVICE, "postmaster@example.net"],
      fetchall: true,
      keep: false,
      mda: null,
      antispam: "-1",
      smtphunt: ["127.0.0.1/25"], // PMG's int_ip/ext_port: the external port, filtered as inbound
    });
    expect(fs.readFileSync(at("etc/default/fetchmail"), "utf8").endsWith(`${MANAGED_START}\n`)).toBe(true);
    expect(await initScriptStarts()).toBe(true);
    expect(restarts()).toBe(1);
    expect(fs.existsSync("/etc/pmg/templates/fetchmailrc.tt")).toBe(false); // this machine's /etc untouched

    const same = await engine.up(FETCHMAIL, declared(hb), created.state);
    expect(same.step).toBe("same");
    expect(restarts()).toBe(1);

    // PMG's GUI adds an entry: PMG renders the whole file from the template, ours stays beside it.
    expect((await pmgApi(hb, GUI_ENTRY)).stderr).toBe("");
    // Conformance of the writer double with write_fetchmail_conf and fetchmailrc.tt (pmg-api 9.1.0):
    // the entry below the marker in PMG's format, ours above it.
    const pmgText = fs.readFileSync(at("etc/pmg/fetchmailrc"), "utf8");
    expect(pmgText).toMatch(
      /# proxmox settings \(Do not delete this marker!!\)\n\npoll proxmox0000 via "pop\.example\.com"\n protocol pop3 port 995\n interval 1\n user "gui" pass "guipass"\n to "gui@example\.net"\n dropdelivered ssl\n/,
    );
    expect(pmgText.indexOf(BEGIN)).toBeLessThan(pmgText.indexOf("# proxmox settings"));
    expect((await daemonView()).servers.map((s) => s.server).sort()).toEqual([
      "imap.gmail.com",
      "proxmox0000",
    ]);
    // ... and deletes it again: PMG switches its own START_DAEMON line off; the daemon still starts.
    expect((await pmgApi(hb, "delete $c->{proxmox0000}")).stderr).toBe("");
    expect(fs.readFileSync(at("etc/default/fetchmail"), "utf8")).toMatch(/^START_DAEMON=no$/m);
    expect(await initScriptStarts()).toBe(true);
    expect((await ours()).user).toBe("lab-service-box@example.com");
    const refreshed = (await engine.refresh(same.state))!;
    expect(refreshed.outputs).toMatchObject({ takenOverBy: null, daemonEnabled: true, permissionsOk: true });

    // A change: the block is rewritten, PMG renders again, the daemon restarts once.
    const restartsBefore = restarts(); // PMG's own writer restarted it on each GUI change
    const changed = await engine.up(
      FETCHMAIL,
      declared(hb, { folder: "Service box", pollSeconds: 900 }),
      refreshed,
    );
    expect([changed.step, changed.state.outputs.writes]).toEqual(["update", 2]);
    expect((await ours()).folders).toEqual(["Service box"]);
    expect((await daemonView()).servers.find((s) => s.server === "imap.gmail.com")!.interval).toBe(3);
    expect(restarts()).toBe(restartsBefore + 1);

    // Someone writes /etc/fetchmailrc by hand: reported, and the next up puts PMG's link back.
    fs.rmSync(at("etc/fetchmailrc"));
    fs.writeFileSync(at("etc/fetchmailrc"), "set daemon 60\n", { mode: 0o600 });
    const taken = (await engine.refresh(changed.state))!;
    expect(taken.outputs.takenOverBy).toBe("a hand-written file");
    const relinked = await engine.up(
      FETCHMAIL,
      declared(hb, { folder: "Service box", pollSeconds: 900 }),
      taken,
    );
    expect(relinked.step).toBe("update");
    expect(fs.readlinkSync(at("etc/fetchmailrc"))).toBe("/etc/pmg/fetchmailrc");

    await engine.destroy(relinked.state);
    expect(fs.existsSync(at("etc/pmg/templates/fetchmailrc.tt"))).toBe(false); // PMG's default again: removed
    expect(fs.readFileSync(at("etc/pmg/fetchmailrc"), "utf8")).not.toContain("imap.gmail.com");
    expect(fs.readFileSync(at("etc/default/fetchmail"), "utf8")).not.toContain(MANAGED_START);
    expect(await initScriptStarts()).toBe(false);
    expect(fs.readlinkSync(at("etc/fetchmailrc"))).toBe("/etc/pmg/fetchmailrc"); // PMG's link stays PMG's
  });

  it("adopts the guide's hand-written /etc/fetchmailrc for the same box, and refuses one with other accounts", async () => {
    const guide = `set daemon 120\nset syslog\nset no bouncemail\n\npoll imap.gmail.com\n  protocol IMAP\n  port 993\n  user 'lab-service-box@example.com'\n  password 'guide-test-password'\n  ssl\n  sslcertck\n  folder 'INBOX'\n  fetchall\n  nokeep\n  mda '/usr/sbin/sendmail -oi -f %F -- %T'\n`;
    const other = `${guide}\npoll pop.example.com protocol POP3 user 'someone-else' password 'x'\n`;
    fs.rmSync(at("etc/fetchmailrc"), { force: true });
    fs.writeFileSync(at("etc/fetchmailrc"), other, { mode: 0o600 });
    await expect(hb.engine.up(FETCHMAIL, declared(hb))).rejects.toThrow(
      /\/etc\/fetchmailrc .*polls accounts the declaration does not \(someone-else on pop\.example\.com\)[\s\S]*adoptExisting/,
    );
    expect(fs.readFileSync(at("etc/fetchmailrc"), "utf8")).toBe(other);
    expect(fs.existsSync(at("etc/pmg/templates/fetchmailrc.tt"))).toBe(false);

    fs.writeFileSync(at("etc/fetchmailrc"), guide, { mode: 0o600 });
    const adopted = await hb.engine.up(FETCHMAIL, declared(hb));
    expect(adopted.state.outputs.takenOverBy).toBeNull();
    expect(fs.readlinkSync(at("etc/fetchmailrc"))).toBe("/etc/pmg/fetchmailrc");
    expect((await ours()).mda).toBeNull();
    await hb.engine.destroy(adopted.state);
  });

  it("refuses a PMG cluster node that is not the master, before writing anything", async () => {
    fs.writeFileSync(
      at("etc/pmg/cluster.conf"),
      "master: 1\n\tip 192.0.2.9\n\tname pmg-master\n\nnode: 2\n\tip 192.0.2.10\n\tname pmg\n",
    );
    try {
      await expect(hb.engine.up(FETCHMAIL, declared(hb))).rejects.toThrow(
        /is a node of a PMG cluster, not its master[\s\S]*Set homelab-mail:pmg.ssh.host to the cluster's master node/,
      );
      expect(fs.existsSync(at("etc/pmg/templates/fetchmailrc.tt"))).toBe(false);
    } finally {
      fs.rmSync(at("etc/pmg/cluster.conf"));
    }
  });

  it("keeps hostile inputs and password intact on the host, and runs none of them", async () => {
    const user = `'; touch /tmp/pwned-4 #"$HOME [% x %]`;
    const folder = "$(touch /tmp/pwned-5) ; `x` [%";
    const { state } = await hb.engine.up(FETCHMAIL, declared(hb, { user, folder }));
    expect(hb.secrets.fetchmail).toMatch(/\$\(touch.*`.*"it's" \\x41 #$/);
    const d = await daemonView();
    expect(d.servers[0].users[0]).toMatchObject({ user, password: hb.secrets.fetchmail, folders: [folder] });
    expect(fs.readFileSync(at("etc/pmg/templates/fetchmailrc.tt"), "utf8")).toContain(BEGIN);
    expect((await hb.bed.sh("ls /tmp | grep -c pwned || true")).stdout.trim()).toBe("0");
    await hb.engine.destroy(state);
  });

  it("rejects values fetchmail or IMAP cannot carry in check, before connecting, naming the property", async () => {
    await hb.bed.settle();
    const before = hb.bed.counters.connections;
    const bad = declared(hb, {
      user: "a\nb",
      folder: 'a"b',
      pollSeconds: 5,
      server: "imap gmail.com",
      localNames: ["not-an-address"],
      fallbackRecipient: "postmaster",
      envelope: "X-Forwarded-For:",
    });
    const failures = await hb.engine.check(FETCHMAIL, bad).catch((e: CheckFailed) => e.failures);
    expect((failures as { property: string }[]).map((f) => f.property).sort()).toEqual([
      "envelope",
      "fallbackRecipient",
      "folder",
      "localNames[0]",
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
    await hb.bed.settle();
    expect(hb.bed.counters.connections).toBe(before);
  });
});
