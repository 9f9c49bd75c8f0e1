import * as pulumi from "@pulumi/pulumi";
import type { FetchmailConfig as FetchmailSettings, PmgConfig } from "../lib/config";
import { PmgConfigSync } from "../providers/pmghost/configSync";
import { FetchmailConfig } from "../providers/pmghost/fetchmailConfig";
import { PostfixTemplateBlock } from "../providers/pmghost/postfixTemplateBlock";
import { SASL_PATH } from "../providers/pmghost/saslMap";
import { SaslPasswordMap } from "../providers/pmghost/saslPasswordMap";

export interface PmgHostArgs {
  /** Validated `homelab-mail:pmg`, with its `ssh` block (the host) and `smarthost` (the relay the SASL map is for). */
  readonly pmg: PmgConfig & { readonly ssh: NonNullable<PmgConfig["ssh"]> };
  /** Validated `homelab-mail:fetchmail`: the Gmail catch box the daemon polls. */
  readonly fetchmail: FetchmailSettings;
}

/**
 * The mission's main.cf additions for authenticated relaying through Gmail: SASL with the map,
 * and TLS required (Gmail takes no AUTH without it). Appended to PMG's template, so they win over
 * anything PMG renders earlier, such as `smtp_tls_security_level = may` when PMG's own TLS is on.
 */
export const SMARTHOST_PARAMETERS = {
  smtp_sasl_auth_enable: "yes",
  smtp_sasl_password_maps: `hash:${SASL_PATH}`,
  smtp_sasl_security_options: "noanonymous",
  smtp_tls_security_level: "encrypt",
  smtp_tls_CAfile: "/etc/ssl/certs/ca-certificates.crt",
};

/**
 * What PMG's API cannot reach, done on the PMG host over SSH: the fetchmail daemon polling the catch
 * box, the smarthost's SASL credentials, the block in PMG's main.cf template that uses them, and one
 * `pmgconfig sync --restart 1` after all of them, run only when one of them wrote its file.
 */
export class PmgHost extends pulumi.ComponentResource {
  readonly fetchmail: FetchmailConfig;
  readonly sasl: SaslPasswordMap;
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
    // After the map: main.cf must never name a map that does not exist yet (and on destroy the block goes first).
    this.template = new PostfixTemplateBlock(
      `${name}-maincf`,
      { ...target, parameters: SMARTHOST_PARAMETERS },
      { ...child, dependsOn: [this.sasl] },
    );
    this.sync = new PmgConfigSync(
      `${name}-sync`,
      {
        ...target,
        triggers: {
          fetchmail: this.fetchmail.writes,
          sasl: this.sasl.writes,
          template: this.template.writes,
        },
        expect: SMARTHOST_PARAMETERS,
      },
      { ...child, dependsOn: [this.fetchmail, this.sasl, this.template] },
    );
    this.registerOutputs({});
  }
}
