/**
 * Free-text labels declared per object: PMG's comments (`homelab-mail:pmg.comments`) and Stalwart's
 * domain descriptions (`homelab-mail:stalwart.domainDescriptions`). Each is a map from the object's key
 * to its text. An object left out of the map keeps whatever label it has on the server: adopting a
 * hand-built object never rewrites (or refuses over) its comment unless the stack declares one.
 */
import * as v from "../validate";
import type { Problems } from "./problems";
import type { PmgComments } from "./types";

export const PMG_COMMENT_LISTS = ["trustedNetworks", "relayDomains", "transports", "dkimDomains"] as const;

/** A map of key -> one-line text, every key one of `known` (what the stack declares). */
export function labelMap(
  p: Problems,
  path: string,
  value: unknown,
  known: string[],
  what: string,
  normalize: (k: string) => string = (k) => k,
): Record<string, string> {
  const o = p.object(path, value, false);
  if (!o) return {};
  const out: Record<string, string> = {};
  for (const [rawKey, text] of Object.entries(o)) {
    const key = normalize(rawKey);
    if (!known.includes(key)) {
      p.add(
        `${path}.${rawKey}`,
        `is not one of the ${what} this stack declares (${known.join(", ") || "none"}); fix the key or remove it`,
      );
      continue;
    }
    if (typeof text !== "string") {
      p.add(`${path}.${rawKey}`, `must be text (quote it in YAML); use "" for an empty label`);
      continue;
    }
    p.check(`${path}.${rawKey}`, text, v.comment);
    out[key] = text;
  }
  return out;
}

export function validatePmgComments(
  p: Problems,
  value: unknown,
  trustedNetworks: string[],
  domains: string[],
): PmgComments {
  const o = p.object("pmg.comments", value, false);
  if (!o) return {};
  p.unknownKeys("pmg.comments", o, [...PMG_COMMENT_LISTS]);
  const lower = (k: string) => k.toLowerCase();
  return {
    trustedNetworks: labelMap(
      p,
      "pmg.comments.trustedNetworks",
      o.trustedNetworks,
      trustedNetworks,
      "pmg.trustedNetworks",
    ),
    relayDomains: labelMap(p, "pmg.comments.relayDomains", o.relayDomains, domains, "domains", lower),
    transports: labelMap(p, "pmg.comments.transports", o.transports, domains, "domains", lower),
    dkimDomains: labelMap(p, "pmg.comments.dkimDomains", o.dkimDomains, domains, "domains", lower),
  };
}
