/**
 * What the program writes on the PMG host, rendered offline from a stack's config, with the same
 * functions the host resources use (providers/pmghost/*), so a reviewer sees the exact text. The
 * two template overrides are PMG's own templates plus a managed block: only the blocks are the
 * program's text, so those are written, each next to the path it goes into.
 */
import type { MailChainConfig } from "../lib/config";
import { SMARTHOST_PARAMETERS } from "../components/PmgHost";
import { MANAGED_COMMENT, MANAGED_START } from "../providers/pmghost/daemonDefaults";
import { intervalFor, renderAccountBlock } from "../providers/pmghost/fetchmailrc";
import { renderSaslMap, SASL_PATH } from "../providers/pmghost/saslMap";
import { renderBlock } from "../providers/pmghost/templateBlock";
import { POLICY_PATH, renderPolicyMap } from "../providers/pmghost/tlsPolicy";

export interface RenderedFile {
  /** Where it goes on the PMG host. */
  readonly hostPath: string;
  /** Where this render writes it, relative to the output directory. */
  readonly file: string;
  readonly text: string;
  /** The mode the program gives the file (0o600 for those holding a password). */
  readonly mode: number;
  readonly note: string;
}

export interface RenderSecrets {
  readonly gmailFetchmailPassword?: string;
  readonly gmailSmarthostPassword?: string;
}

/** A visible stand-in for a secret that was not given: the variable to set to see the real text. */
export const placeholder = (key: string) => `PLACEHOLDER-set-env-${key}`;

export function renderHostFiles(config: MailChainConfig, secrets: RenderSecrets): RenderedFile[] {
  const { pmg, fetchmail } = config;
  if (!pmg.ssh || !fetchmail) return [];
  const fetchmailPassword = secrets.gmailFetchmailPassword ?? placeholder("gmailFetchmailPassword");
  const smarthostPassword = secrets.gmailSmarthostPassword ?? placeholder("gmailSmarthostPassword");
  const block = renderAccountBlock({
    server: fetchmail.server,
    port: fetchmail.port,
    user: fetchmail.user,
    password: fetchmailPassword,
    folder: fetchmail.folder,
    interval: intervalFor(fetchmail.pollSeconds),
    localNames: fetchmail.localNames,
    fallback: fetchmail.fallbackRecipient,
    envelope: fetchmail.envelope,
  });
  const relay = pmg.smarthost;
  return [
    {
      hostPath: "/etc/pmg/templates/fetchmailrc.tt",
      file: "etc/pmg/templates/fetchmailrc.tt.block",
      text: `${block.join("\n")}\n`,
      mode: 0o600,
      note: "inserted right above PMG's `# proxmox settings` marker of the host's own template; PMG renders /etc/pmg/fetchmailrc from it",
    },
    {
      hostPath: SASL_PATH,
      file: SASL_PATH.slice(1),
      text: renderSaslMap(relay.host, relay.port, relay.user ?? fetchmail.user, smarthostPassword),
      mode: 0o600,
      note: "the whole file, then `postmap hash:/etc/postfix/sasl_passwd`",
    },
    {
      hostPath: POLICY_PATH,
      file: POLICY_PATH.slice(1),
      text: renderPolicyMap(relay.host, relay.port),
      mode: 0o644,
      note: `the whole file, then \`postmap hash:${POLICY_PATH}\``,
    },
    {
      hostPath: "/etc/pmg/templates/main.cf.in",
      file: "etc/pmg/templates/main.cf.in.block",
      text: `${renderBlock(SMARTHOST_PARAMETERS).join("\n")}\n`,
      mode: 0o644,
      note: "appended to the host's own template; with PMG's tls=1 the policy map line also lists PMG's hash:/etc/pmg/tls_policy, whose own line is parked as a comment",
    },
    {
      hostPath: "/etc/default/fetchmail",
      file: "etc/default/fetchmail.lines",
      text: `${MANAGED_COMMENT}\n${MANAGED_START}\n`,
      mode: 0o644,
      note: "appended after PMG's own START_DAEMON line",
    },
  ];
}
