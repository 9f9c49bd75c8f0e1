/**
 * The read-only adoption plan: every object the stack declares, and what the first `pulumi up`
 * would do to it. Each system's planner uses that system's provider clients, configured from the
 * stack exactly as the provider host configures them; nothing here writes.
 * To add a system: write plan/<system>.ts returning a PlanSection and add it to PLANNERS.
 */
import { SECRET_KEYS, validateConfig, type MailChainConfig } from "../lib/config";
import { configure, type ConfigSource } from "../providers/context";
import { CLOUDFLARE_API } from "../providers/cloudflare/client";
import { settingsParsers } from "../providers/registry";
import { planCloudflare } from "./cloudflare";
import { planPmg } from "./pmg";
import { planStalwart } from "./stalwart";
import type { PlanSection } from "./types";
import { planUnifi } from "./unifi";

export interface Planner {
  /** The providers' system name (providers/<system>), whose settings the planner's clients need. */
  readonly system: string;
  /** Where its section reads from, for the error line when it cannot. */
  readonly endpoint: (c: MailChainConfig) => string | undefined;
  readonly plan: (c: MailChainConfig) => Promise<PlanSection | undefined>;
}

export const PLANNERS: Planner[] = [
  { system: "pmg", endpoint: (c) => c.pmg.endpoint, plan: planPmg },
  { system: "stalwart", endpoint: (c) => c.stalwart?.endpoint, plan: planStalwart },
  { system: "unifi", endpoint: (c) => c.unifi?.endpoint, plan: planUnifi },
  // Only with CLOUDFLARE_API_TOKEN in the environment (the stack's cloudflare:apiToken is encrypted).
  {
    system: "cloudflare",
    endpoint: () =>
      process.env.CLOUDFLARE_API_TOKEN ? (process.env.CLOUDFLARE_BASE_URL ?? CLOUDFLARE_API) : undefined,
    plan: planCloudflare,
  },
];

/** Secrets the plan can use: the stack's secret keys, read by the same name (e.g. from the environment). */
export const PLAN_SECRETS = [...SECRET_KEYS, "stalwartAccountPasswords"];

/**
 * `raw`: the stack config with the `homelab-mail:` prefix stripped; `secrets`: by key. Throws a
 * ConfigError naming every bad key, as `pulumi up` would, before anything is read.
 */
export async function adoptionPlan(
  raw: Record<string, unknown>,
  secrets: Record<string, string | undefined>,
): Promise<PlanSection[]> {
  // Secrets are checked per system below (a system without its secret is reported, not fatal).
  const config = validateConfig(raw, new Set(SECRET_KEYS));
  const source: ConfigSource = {
    get(key) {
      const k = key.replace(/^homelab-mail:/, "");
      if (PLAN_SECRETS.includes(k)) return secrets[k] || undefined;
      const v = raw[k];
      return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    },
  };
  const unreadable: Record<string, string> = {};
  const parsers = Object.fromEntries(
    PLANNERS.map((p) => [
      p.system,
      (c: ConfigSource) => {
        try {
          return settingsParsers[p.system](c);
        } catch (e) {
          unreadable[p.system] = (e as Error).message;
          return undefined;
        }
      },
    ]),
  );
  await configure(source, parsers);
  const sections: PlanSection[] = [];
  for (const p of PLANNERS) {
    const endpoint = p.endpoint(config);
    if (endpoint === undefined) continue;
    if (unreadable[p.system]) {
      sections.push({ system: p.system, endpoint, items: [], error: unreadable[p.system] });
      continue;
    }
    try {
      const section = await p.plan(config);
      if (section) sections.push(section);
    } catch (e) {
      sections.push({ system: p.system, endpoint, items: [], error: (e as Error).message });
    }
  }
  return sections;
}
