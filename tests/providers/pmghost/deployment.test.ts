/**
 * Whole deployments of the PMG host resources, in the order components/PmgHost.ts gives them
 * (the sync after every host file, the template block after the SASL map), each deployment with
 * its own provider host as the engine starts one.
 */
import * as fs from "node:fs";
import type { PropertyBag } from "../../harness/providerHost";
import type { Engine, State } from "../engine";
import { EXPECTED_MAIN_CF, SMARTHOST_PARAMETERS as PARAMS } from "../../../components/PmgHost";
import { FETCHMAIL, SASL, startHostBed, SYNC, TEMPLATE, TLS, type HostBed } from "./bed";

interface Stack {
  fetchmail?: State;
  sasl?: State;
  tls?: State;
  template?: State;
  sync?: State;
}

describe("a deployment of the PMG host resources", () => {
  let hb: HostBed;
  beforeAll(async () => {
    hb = await startHostBed();
  });
  afterAll(() => hb?.close());

  const syncs = () => hb.bed.calls("pmgconfig").filter((c) => c === "sync --restart 1").length;

  /**
   * One `pulumi up`: each resource in dependency order, the sync's triggers from this run's outputs.
   * Like the engine, it keeps every step that succeeded in `stack` even when a later one fails.
   */
  async function up(
    engine: Engine,
    stack: Stack,
    parameters: Record<string, string> = PARAMS,
  ): Promise<Stack> {
    const t = hb.target;
    stack.fetchmail = (
      await engine.up(
        FETCHMAIL,
        {
          ...t,
          server: "imap.gmail.com",
          user: "lab-service-box@example.com",
          localNames: ["thehive@example.net"],
          fallbackRecipient: "postmaster@example.net",
        },
        stack.fetchmail,
      )
    ).state;
    stack.sasl = (
      await engine.up(
        SASL,
        { ...t, relayHost: "smtp.gmail.com", relayPort: 587, username: "lab-service-box@example.com" },
        stack.sasl,
      )
    ).state;
    stack.tls = (
      await engine.up(TLS, { ...t, relayHost: "smtp.gmail.com", relayPort: 587 }, stack.tls)
    ).state;
    stack.template = (await engine.up(TEMPLATE, { ...t, parameters }, stack.template)).state;
    const triggers: PropertyBag = {
      fetchmail: stack.fetchmail.outputs.writes,
      sasl: stack.sasl.outputs.writes,
      tls: stack.tls.outputs.writes,
      template: stack.template.outputs.writes,
    };
    const expect_ = parameters === PARAMS ? EXPECTED_MAIN_CF : parameters;
    stack.sync = (await engine.up(SYNC, { ...t, triggers, expect: expect_ }, stack.sync)).state;
    return stack;
  }

  it("syncs exactly once per deployment that wrote a host file, never otherwise, over one connection each", async () => {
    await hb.bed.settle();
    const logins = hb.bed.counters.logins;
    let stack = await up(hb.engine, {});
    expect(syncs()).toBe(1);
    await hb.bed.settle();
    expect(hb.bed.counters.logins).toBe(logins + 1); // four resources, one SSH connection
    // PMG rendered the block: the real postconf reads it from the real main.cf.
    expect(
      (
        await hb.bed.sh(
          "postconf -h default_transport smtp_sasl_auth_enable smtp_sasl_password_maps smtp_tls_security_level smtp_tls_policy_maps; postmap -q smtp.gmail.com:587 hash:/etc/postfix/smarthost_tls_policy",
        )
      ).stdout,
    ).toBe(
      "smtp:smtp.gmail.com:587\nyes\nhash:/etc/postfix/sasl_passwd\nmay\nhash:/etc/postfix/smarthost_tls_policy, hash:/etc/pmg/tls_policy\n" +
        "secure match=smtp.gmail.com tafile=/etc/ssl/certs/ca-certificates.crt\n",
    );

    stack = await up(hb.engine, stack);
    expect(syncs()).toBe(1);

    // A rotated smarthost password: the map is rewritten, so one sync.
    const rotated = await hb.engineWith({ secrets: { smarthost: "rotated-app-password" } });
    stack = await up(rotated, stack);
    expect(syncs()).toBe(2);

    // A hand edit to the block, refreshed and reverted: the content goes back to what it was (same
    // hash as before), yet main.cf was rendered from the edited file, so it must be synced again.
    const edited = hb.bed.path("etc/pmg/templates/main.cf.in");
    fs.writeFileSync(
      edited,
      fs.readFileSync(edited, "utf8").replace("smtp_sasl_auth_enable = yes", "smtp_sasl_auth_enable = no"),
    );
    await hb.bed.sh("pmgconfig sync --restart 1");
    const refreshedSync = (await rotated.refresh(stack.sync!))!;
    expect(refreshedSync.outputs.inSync).toBe(false);
    stack = { ...stack, template: (await rotated.refresh(stack.template!))!, sync: refreshedSync };
    const callsBefore = syncs();
    stack = await up(rotated, stack);
    expect(syncs()).toBe(callsBefore + 1);
    expect((await hb.bed.sh("postconf -h smtp_sasl_auth_enable")).stdout).toBe("yes\n");

    // A failing sync fails the deployment with PMG's own message; the next one syncs again.
    hb.bed.faults.failSync("template error: unexpected token in main.cf.in");
    const changedParams = { ...EXPECTED_MAIN_CF, smtp_tls_security_level: "verify" };
    await expect(up(rotated, stack, changedParams)).rejects.toThrow(
      /pmgconfig sync --restart 1 .*failed: exit code \d+: .*template error: unexpected token/,
    );
    hb.bed.faults.failSync(undefined);
    const failedAt = syncs();
    stack = await up(rotated, stack, changedParams);
    expect(syncs()).toBe(failedAt + 1);
    expect((await hb.bed.sh("postconf -h smtp_tls_security_level")).stdout).toBe("verify\n");

    // Destroy in reverse dependency order: the block goes first (with its sync), then the map it names.
    const before = syncs();
    for (const state of [stack.sync, stack.template, stack.tls, stack.sasl, stack.fetchmail])
      await rotated.destroy(state!);
    expect(syncs()).toBe(before + 1);
    const after = await hb.bed.sh(
      "postconf -h smtp_sasl_auth_enable; ls /etc/postfix/sasl_passwd /etc/postfix/smarthost_tls_policy /etc/pmg/templates/main.cf.in /etc/pmg/templates/fetchmailrc.tt",
    );
    expect(after.stdout).toBe("no\n");
    expect(after.stderr.match(/No such file/g)).toHaveLength(4);
    // Nothing the provider hosts printed holds a password.
    const logs = [...hb.host.logs, ...rotated.host.logs].join("\n");
    for (const secret of [hb.secrets.fetchmail, hb.secrets.smarthost, "rotated-app-password"])
      expect(logs).not.toContain(secret);
  });
});
