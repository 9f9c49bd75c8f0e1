/** The UniFi Network console: its resource modules and its settings parser. */
import * as dnsRecord from "./dnsRecord";
import { parseUnifiSettings } from "./settings";

export const name = "unifi";
export const modules = [dnsRecord];
export const parseSettings = parseUnifiSettings;
