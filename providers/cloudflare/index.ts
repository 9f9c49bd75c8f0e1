/** Cloudflare: the TXT records and destination addresses the chain owns (the provider's resources do the rest). */
import * as destinationAddress from "./destinationAddress";
import * as txtRecord from "./txtRecord";
import { parseCloudflareSettings } from "./settings";

export const name = "cloudflare";
export const modules = [txtRecord, destinationAddress];
export const parseSettings = parseCloudflareSettings;
