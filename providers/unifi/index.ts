/** The UniFi Network console: its resource modules and its settings parser. */
import * as dnsRecord from "./dnsRecord";
import { parseUnifiSettings } from "./settings";

export const name = "unifi";
export const modules = [dnsRecord];
export const parseSettings = parseUnifiSettings;

/** A record is its id on the console's site and API, whatever URL reaches the console. */
export const identity = (_kind: string, _id: string, outs: Record<string, unknown>): string | undefined =>
  outs.recordId
    ? `${String(outs.site ?? "default")}|${String(outs.api)}|${String(outs.recordId)}`
    : undefined;
