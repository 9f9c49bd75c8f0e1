/** The PMG API system: its resource modules and its settings parser. */
import * as dkimDomain from "./dkimDomain";
import * as dkimSelector from "./dkimSelector";
import * as dkimSigning from "./dkimSigning";
import * as relayDomain from "./relayDomain";
import * as smarthost from "./smarthost";
import * as transport from "./transport";
import * as trustedNetwork from "./trustedNetwork";
import { parsePmgSettings } from "./settings";

export const name = "pmg";
export const modules = [
  dkimDomain,
  dkimSelector,
  dkimSigning,
  relayDomain,
  smarthost,
  transport,
  trustedNetwork,
];
export const parseSettings = parsePmgSettings;

/**
 * A PMG object is its list entry's key (or its section's id) on the one gateway this stack
 * manages: the same under `https://192.0.2.10:8006` and `https://pmg.example.net:8006`.
 */
export const identity = (_kind: string, id: string): string => id;
