/** Cloudflare: the TXT records the chain owns (the provider's own resources do the rest). */
import * as txtRecord from "./txtRecord";
import { parseCloudflareSettings } from "./settings";

export const name = "cloudflare";
export const modules = [txtRecord];
export const parseSettings = parseCloudflareSettings;
