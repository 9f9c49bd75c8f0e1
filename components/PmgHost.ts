import * as pulumi from "@pulumi/pulumi";
import type { FetchmailConfig as FetchmailSettings, PmgConfig } from "../lib/config";
import { PmgConfigSync } from "../providers/pmghost/configSync";
import { FetchmailConfig } from "../providers/pmghost/fetchmailConfig";
import { PostfixTemplateBlock } from "../providers/pmghost/postfixTemplateBlock";
import { SASL_PATH } from "../providers/pmghost/saslMap";
import { SaslPasswordMap } from "../providers/pmghost/saslPasswordMap";
import { SmarthostTlsPolicy } from "../providers/pmghost/smarthostTlsPolicy";
import { POLICY_MAP } from "../providers/pmghost/tlsPolicy";

export interface PmgHostArgs {
  /** Validated `homelab-mail:pmg`, with its `ssh` block (the host) and `smarthost` (the relay the SASL map is for). */
  readonly pmg: PmgConfig & { readonly ssh: NonNullable<PmgConfig["ssh"]> };
  /** Validated `homelab-mail:fetchmail`: the Gmail catch box the daemon polls. */
  readonly fetchmail: FetchmailSettings;
}

/**
 * The main.cf additions for authenticated relaying through Gmail: SASL with the map, and the TLS
 * policy map that makes the smarthost leg `secure` (name matched, system CAs) for that next hop
 * only. No global TLS level: every other delivery (the transport to Stalwart, LMTP) keeps PMG's
 * own. The mission's `smtp_tls_security_level = encrypt` encrypted without verifying anything,
 * so the app password went to any certificate (issue 11 item 2, issue 16 item 3).
 */
export const SMARTHOST_PARAMETERS = {
  smtp_sasl_auth_enable: "yes",
  smtp_sasl_password_maps: `hash:${SASL_PATH}`,
  smtp_sasl_security_options: "noanonymous",
  smtp_tls_policy_maps: POLICY_MAP,
};

/** What main.cf must show after the sync (the policy map line is merged with PMG's, so it is checked by the map's own lookup). */
export const EXPECTED_MAIN_CF = {
  smtp_sasl_auth_enable: "yes",
  smtp_sasl_password_maps: `hash:${SASL_PATH}`,
  smtp_sasl_security_options: "noanonymous",
};

/**
 * What PMG's API cannot reach, done on the PMG host over SSH: the fetchmail daemon polling the catch
 * box, the smarthost's SASL credentials, the block in PMG's main.cf template that uses them, and one
 * `pmgconfig sync --restart 1` after all of them, run only when one of them wrote its file.
 */
export class PmgHost extends pulumi.ComponentResource {
  readonly fetchmail: FetchmailConfig;
  readonly sasl: SaslPasswordMap;
  readonly tlsPolicy: SmarthostTlsPolicy;
  readonly template: PostfixTemplateBlock;
  readonly sync: PmgConfigSync;

  constructor(name: string, args: PmgHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:pmg:PmgHost", name, {}, opts);
    const { pmg, fetchmail } = args;
    const target = { sshHost: pmg.ssh.host, sshPort: pmg.ssh.port };
    const child = { parent: this };

    this.fetchmail = new FetchmailConfig(
      `${name}-fetchmail`,
      {
        ...target,
        server: fetchmail.server,
        port: fetchmail.port,
        user: fetchmail.user,
        folder: fetchmail.folder,
        pollSeconds: fetchmail.pollSeconds,
        localNames: fetchmail.localNames,
        fallbackRecipient: fetchmail.fallbackRecipient,
        envelope: fetchmail.envelope,
      },
      child,
    );
    this.sasl = new SaslPasswordMap(
      `${name}-sasl`,
      // The hand-made setup relays as the same Gmail account fetchmail polls.
      {
        ...target,
        relayHost: pmg.smarthost.host,
        relayPort: pmg.smarthost.port,
        username: pmg.smarthost.user ?? fetchmail.user,
      },
      child,
    );
    this.tlsPolicy = new SmarthostTlsPolicy(
      `${name}-tls`,
      { ...target, relayHost: pmg.smarthost.host, relayPort: pmg.smarthost.port },
      child,
    );
    // After the maps: main.cf must never name a map that does not exist yet (and on destroy the block goes first).
    this.template = new PostfixTemplateBlock(
      `${name}-maincf`,
      { ...target, parameters: SMARTHOST_PARAMETERS },
      { ...child, dependsOn: [this.sasl, this.tlsPolicy] },
    );
    this.sync = new PmgConfigSync(
      `${name}-sync`,
      {
        ...target,
        triggers: {
          fetchmail: this.fetchmail.writes,
          sasl: this.sasl.writes,
          tls: this.tlsPolicy.writes,
          template: this.template.writes,
        },
        expect: EXPECTED_MAIN_CF,
      },
      { ...child, dependsOn: [this.fetchmail, this.sasl, this.tlsPolicy, this.template] },
    );
    this.registerOutputs({});
  }
}
