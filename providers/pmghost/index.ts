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
