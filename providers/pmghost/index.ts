/** The PMG host over SSH: what PMG's API cannot reach (fetchmail, the SASL map, the main.cf template, the sync). */
import * as configSync from "./configSync";
import * as fetchmailConfig from "./fetchmailConfig";
import * as postfixTemplateBlock from "./postfixTemplateBlock";
import * as saslPasswordMap from "./saslPasswordMap";
import * as smarthostTlsPolicy from "./smarthostTlsPolicy";
import { parsePmgHostSettings } from "./settings";

export const name = "pmghost";
export const modules = [
  fetchmailConfig,
  saslPasswordMap,
  smarthostTlsPolicy,
  postfixTemplateBlock,
  configSync,
];
export const parseSettings = parsePmgHostSettings;

/**
 * A host resource's object is its file path (the id is `<sshHost>:<path>`). Every address is
 * reached with the one pinned host key (settings.ts, pmgHost), so a new address that connects is
 * the same machine.
 */
export const identity = (_kind: string, id: string, outs: Record<string, unknown>): string | undefined =>
  typeof outs.sshHost === "string" && id.startsWith(`${outs.sshHost}:`)
    ? id.slice(outs.sshHost.length + 1)
    : undefined;
