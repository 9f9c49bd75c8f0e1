/**
 * What every provider method needs from `configure`: the stack config and each system's settings
 * parsed from it. This is a real module in the provider host (loaded through the shim), so its
 * state lasts for the process, and so do the API clients each system caches here (one client,
 * hence one login, per API host).
 *
 * The host has two bugs designed around here (see tests): it may run a method before `configure`
 * has finished, and after a failed `configure` it runs later methods unconfigured. Every method
 * therefore awaits `settings()`, which waits for the newest configure and rethrows its failure.
 */
import { NotConfiguredError } from "../lib/errors";

export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Parses one system's settings from stack config; undefined when the system is not configured. Throws a message naming the keys. */
export type SettingsParser = (config: ConfigSource) => unknown;

export interface Settings {
  readonly adoptExisting: boolean;
  /** Parsed settings by system name ("pmg", "stalwart", ...). */
  readonly systems: Record<string, unknown>;
}

let current: Promise<Settings> | undefined;

export function configure(config: ConfigSource, parsers: Record<string, SettingsParser>): Promise<void> {
  current = Promise.resolve().then(() => {
    const systems: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [name, parse] of Object.entries(parsers)) {
      try {
        systems[name] = parse(config);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    if (problems.length > 0)
      throw new NotConfiguredError(`provider configuration failed: ${problems.join("; ")}`);
    return { adoptExisting: config.get("homelab-mail:adoptExisting") === "true", systems };
  });
  // Keep a failure observed here so Node does not report it unhandled; methods rethrow it.
  current.catch(() => undefined);
  return current.then(() => undefined);
}

export async function settings(): Promise<Settings> {
  if (!current) {
    throw new NotConfiguredError(
      "provider: called before configure; the Pulumi engine always configures first, so this is a host bug",
    );
  }
  return current;
}

/** One system's settings, or a clear error naming the config key when that block is not set. */
export async function systemSettings<T>(name: string): Promise<T> {
  const s = (await settings()).systems[name];
  if (s === undefined)
    throw new NotConfiguredError(
      `${name}: homelab-mail:${name} is not set in the stack config; its resources need it`,
    );
  return s as T;
}

/**
 * `homelab-mail:<key>` as a string, or undefined when unset or empty: one rule for every key, the
 * same as lib/stackConfig.ts (`pulumi config set --secret homelab-mail:unifiApiKey ""` means unset).
 */
export function configValue(config: ConfigSource, key: string): string | undefined {
  const raw = config.get(`homelab-mail:${key}`);
  return raw === undefined || raw === "" ? undefined : raw;
}

/** Reads `homelab-mail:<key>` as an object (structured config arrives as a JSON string). */
export function configObject(config: ConfigSource, key: string): Record<string, unknown> | undefined {
  const raw = config.get(`homelab-mail:${key}`);
  if (raw === undefined || raw === "") return undefined;
  try {
    const v = JSON.parse(raw);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  throw new NotConfiguredError(`homelab-mail:${key} must be an object (see README, "Configuration")`);
}
