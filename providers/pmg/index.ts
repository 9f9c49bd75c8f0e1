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
