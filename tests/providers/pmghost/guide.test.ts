/**
 * The first `pulumi up` over the PMG host the mission guide built by hand (tests/fixtures/guide/
 * pmghost.ts), through Pulumi's provider host against the PMG host bed, without adoptExisting:
 * every file adopted without a refusal, the guide's hand-written lines and files absorbed into the
 * managed form, no main.cf parameter set twice, and nothing of the guide's lost (its account is
 * polled from PMG's template, its credentials answer the smarthost lookups).
 */
import * as fs from "node:fs";
import { EXPECTED_MAIN_CF, SMARTHOST_PARAMETERS } from "../../../components/PmgHost";
import { parseConfigDump } from "../../../providers/pmghost/configDump";
import {
  GUIDE_FETCHMAIL_PASSWORD,
  GUIDE_SMARTHOST_PASSWORD,
  seedGuidePmgHost,
  SERVICE_EMAIL,
} from "../../fixtures/guide/pmghost";
import { FETCHMAIL, SASL, startHostBed, SYNC, TEMPLATE, TLS, type HostBed } from "./bed";

describe("the first up over the guide's hand-built PMG host", () => {
  let hb: HostBed;
  beforeAll(async () => {
    hb = await startHostBed();
    await seedGuidePmgHost(hb.bed);
  });
  afterAll(() => hb?.close());

  it("adopts it without a refusal, absorbs the hand-made parts, sets nothing twice, loses nothing", async () => {
    const before = await hb.bed.sh("postconf -n >/dev/null");
    expect(before.stderr).toMatch(/overriding earlier entry/); // the guide's own state sets parameters twice
    const engine = await hb.engineWith({
      secrets: { fetchmail: GUIDE_FETCHMAIL_PASSWORD, smarthost: GUIDE_SMARTHOST_PASSWORD },
    });
    const t = hb.target;
    const fetchmail = await engine.up(FETCHMAIL, {
      ...t,
      server: "imap.gmail.com",
      user: SERVICE_EMAIL,
      pollSeconds: 120,
      localNames: ["thehive@example.net", "noreply@example.net", "noreply@example.org"],
      fallbackRecipient: "postmaster@example.net",
    });
    const sasl = await engine.up(SASL, {
      ...t,
      relayHost: "smtp.gmail.com",
      relayPort: 587,
      username: SERVICE_EMAIL,
    });
    const tls = await engine.up(TLS, { ...t, relayHost: "smtp.gmail.com", relayPort: 587 });
    const template = await engine.up(TEMPLATE, { ...t, parameters: SMARTHOST_PARAMETERS });
    const triggers = {
      fetchmail: fetchmail.state.outputs.writes,
      sasl: sasl.state.outputs.writes,
      tls: tls.state.outputs.writes,
      template: template.state.outputs.writes,
    };
    const sync = await engine.up(SYNC, { ...t, triggers, expect: EXPECTED_MAIN_CF });
    expect([fetchmail, sasl, tls, template, sync].map((r) => r.step)).toEqual(Array(5).fill("create"));

    // main.cf: nothing set twice, the smarthost leg `secure`, every other delivery at PMG's level.
    const after = await hb.bed.sh(
      "postconf -n >/dev/null; postconf -h smtp_sasl_auth_enable smtp_tls_security_level smtp_tls_policy_maps",
    );
    expect(after.stderr).not.toMatch(/overriding earlier entry/);
    expect(after.stdout).toBe("yes\nmay\nhash:/etc/postfix/smarthost_tls_policy, hash:/etc/pmg/tls_policy\n");
    const override = fs.readFileSync(hb.bed.path("etc/pmg/templates/main.cf.in"), "utf8");
    expect(override).not.toContain("# === Gmail SASL relay authentication ===");
    expect(override.match(/^smtp_sasl_auth_enable\b/gm)).toHaveLength(1);

    // The guide's SASL credentials answer the smarthost's lookups, in the managed form.
    const lookup = await hb.bed.sh(
      "postmap -q '[smtp.gmail.com]:587' hash:/etc/postfix/sasl_passwd; postmap -q smtp.gmail.com:587 hash:/etc/postfix/sasl_passwd",
    );
    expect(lookup.stdout).toBe(`${SERVICE_EMAIL}:${GUIDE_SMARTHOST_PASSWORD}\n`.repeat(2));

    // The guide's account is polled from PMG's template, by PMG's link, with multidrop instead of the MDA.
    expect(fs.readlinkSync(hb.bed.path("etc/fetchmailrc"))).toBe("/etc/pmg/fetchmailrc");
    const r = await hb.bed.sh(
      "setpriv --reuid=fetchmail --regid=nogroup --clear-groups fetchmail -f /etc/fetchmailrc --configdump",
    );
    const user = parseConfigDump(r.stdout).servers[0].users[0];
    expect(user).toMatchObject({
      user: SERVICE_EMAIL,
      password: GUIDE_FETCHMAIL_PASSWORD,
      folders: ["INBOX"],
      mda: null,
    });
    expect((await hb.bed.sh("START_DAEMON=no; . /etc/default/fetchmail; echo $START_DAEMON")).stdout).toBe(
      "yes\n",
    );

    // A second up changes nothing.
    const again = await engine.up(TEMPLATE, { ...t, parameters: SMARTHOST_PARAMETERS }, template.state);
    expect(again.step).toBe("same");
  });
});
