/**
 * Reads the stack configuration through Pulumi and validates it (lib/config.ts) before the program
 * registers anything. Secrets are only checked for presence here: providers receive them through
 * `configure`, so they never pass through resource inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, SECRET_KEYS, validateConfig, type MailChainConfig } from "./config";
import { plainTextCredentials } from "./config/secrets";
import { ConfigError } from "./errors";

const OBJECT_KEYS = ["domains", "routing", "pmg", "stalwart", "fetchmail", "dns", "unifi"] as const;

/**
 * Whether the engine marked a config key secret. `runtime.isConfigSecret` is exported by the SDK's
 * runtime at run time but tagged @internal, so its declaration is not shipped
 * (pulumi/pulumi sdk/nodejs/runtime/config.ts, `isConfigSecret`).
 */
function isSecret(fullKey: string): boolean {
  const probe = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  // Fail closed: an SDK without it cannot prove any credential is encrypted.
  return typeof probe === "function" ? probe(fullKey) : false;
}

export function loadStackConfig(config = new pulumi.Config(PROJECT)): MailChainConfig {
  const raw: Record<string, unknown> = {};
  const unreadable: string[] = [];
  for (const key of OBJECT_KEYS) {
    try {
      raw[key] = config.getObject<unknown>(key);
    } catch {
      unreadable.push(
        `${PROJECT}:${key}: is not valid YAML/JSON structured config; see README, "Configuration"`,
      );
    }
  }
  raw.cloudflareAccountId = config.get("cloudflareAccountId");
  try {
    raw.adoptExisting = config.getBoolean("adoptExisting");
  } catch {
    unreadable.push(`${PROJECT}:adoptExisting: must be true or false`);
  }
  // Presence only, and "" counts as unset, as in the providers (providers/context.ts, configValue).
  // The value never leaves this line: secrets reach the providers through `configure`.
  const secrets = new Set<string>(SECRET_KEYS.filter((k) => (config.get(k) ?? "") !== ""));
  try {
    const validated = validateConfig(
      raw,
      secrets,
      plainTextCredentials(pulumi.runtime.allConfig(), isSecret),
    );
    if (unreadable.length > 0) throw new ConfigError(unreadable);
    for (const w of validated.warnings ?? []) void pulumi.log.warn(w);
    return validated;
  } catch (e) {
    if (e instanceof ConfigError && unreadable.length > 0 && e.problems !== unreadable)
      throw new ConfigError([...unreadable, ...e.problems]);
    throw e;
  }
}
