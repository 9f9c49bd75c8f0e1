/**
 * What every provider method needs from `configure`: settings from stack config and the API
 * clients built from them. This is a real module in the provider host (loaded through the shim),
 * so its state lasts for the process: one client, hence one login, per API host.
 *
 * The host has two bugs designed around here (see tests): it may run a method before `configure`
 * has finished, and after a failed `configure` it runs later methods unconfigured. Every method
 * therefore awaits `settings()`, which waits for the newest configure and rethrows its failure.
 */
import { NotConfiguredError } from "../lib/errors";
import { PmgClient } from "./pmg/client";

export interface ConfigSource {
  get(key: string): string | undefined;
}

export interface PmgSettings {
  readonly endpoint: string;
  readonly username: string;
  readonly password: string;
  readonly tlsFingerprint?: string;
}

export interface Settings {
  readonly pmg?: PmgSettings;
  readonly adoptExisting: boolean;
}

let current: Promise<Settings> | undefined;
const pmgClients: Record<string, PmgClient> = {};

export function configure(config: ConfigSource): Promise<void> {
  current = Promise.resolve().then(() => parseSettings(config));
  // Keep a failure observed here so Node does not report it unhandled; methods rethrow it.
  current.catch(() => undefined);
  return current.then(() => undefined);
}

export async function settings(): Promise<Settings> {
  if (!current) {
    throw new NotConfiguredError("provider: called before configure; the Pulumi engine always configures first, so this is a host bug");
  }
  return current;
}

function json(config: ConfigSource, key: string): Record<string, unknown> | undefined {
  const raw = config.get(`homelab-mail:${key}`);
  if (raw === undefined || raw === "") return undefined;
  try {
    const v = JSON.parse(raw);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  throw new NotConfiguredError(`provider: homelab-mail:${key} must be an object (see README, "Configuration")`);
}

function parseSettings(config: ConfigSource): Settings {
  const pmg = json(config, "pmg");
  const problems: string[] = [];
  let pmgSettings: PmgSettings | undefined;
  if (pmg) {
    const password = config.get("homelab-mail:pmgPassword");
    if (typeof pmg.endpoint !== "string") problems.push("homelab-mail:pmg.endpoint is missing");
    if (typeof pmg.username !== "string") problems.push("homelab-mail:pmg.username is missing");
    if (!password) problems.push("homelab-mail:pmgPassword is not set; run: pulumi config set --secret homelab-mail:pmgPassword");
    if (problems.length === 0) {
      pmgSettings = {
        endpoint: String(pmg.endpoint),
        username: String(pmg.username),
        password: String(password),
        tlsFingerprint: typeof pmg.tlsFingerprint === "string" ? pmg.tlsFingerprint : undefined,
      };
    }
  }
  if (problems.length > 0) throw new NotConfiguredError(`provider configuration failed: ${problems.join("; ")}`);
  return { pmg: pmgSettings, adoptExisting: config.get("homelab-mail:adoptExisting") === "true" };
}

/** The client for a PMG endpoint, shared by every resource in this process. */
export async function pmgClient(endpoint: string): Promise<PmgClient> {
  const s = await settings();
  if (!s.pmg) throw new NotConfiguredError("pmg: homelab-mail:pmg is not set in the stack config; the PMG resources need it");
  const key = `${endpoint}|${s.pmg.username}|${s.pmg.tlsFingerprint ?? ""}`;
  // A resource whose state names another endpoint (the gateway moved) is still reached with the
  // configured credentials and fingerprint: delete and refresh must work from its outputs alone.
  return (pmgClients[key] ??= new PmgClient({ ...s.pmg, endpoint }));
}

/** For tests: the clients made so far (their counters prove one login per host). */
export function clientsForTest(): Record<string, PmgClient> {
  return pmgClients;
}
