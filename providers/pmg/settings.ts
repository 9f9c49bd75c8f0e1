/** PMG's connection settings from stack config, and the one client per endpoint built from them. */
import { configObject, configValue, systemSettings, type ConfigSource } from "../context";
import { PmgClient } from "./client";

export interface PmgSettings {
  readonly endpoint: string;
  readonly username: string;
  readonly password: string;
  readonly tlsFingerprint?: string;
}

export function parsePmgSettings(config: ConfigSource): PmgSettings | undefined {
  const pmg = configObject(config, "pmg");
  if (!pmg) return undefined;
  const password = configValue(config, "pmgPassword");
  const problems: string[] = [];
  if (typeof pmg.endpoint !== "string") problems.push("homelab-mail:pmg.endpoint is missing");
  if (typeof pmg.username !== "string") problems.push("homelab-mail:pmg.username is missing");
  if (!password)
    problems.push(
      "homelab-mail:pmgPassword is not set; run: pulumi config set --secret homelab-mail:pmgPassword",
    );
  if (problems.length > 0) throw new Error(problems.join("; "));
  return {
    endpoint: String(pmg.endpoint),
    username: String(pmg.username),
    password: String(password),
    tlsFingerprint: typeof pmg.tlsFingerprint === "string" ? pmg.tlsFingerprint : undefined,
  };
}

const clients: Record<string, PmgClient> = {};

/** The client for a PMG endpoint, shared by every resource in this process. */
export async function pmgClient(endpoint: string): Promise<PmgClient> {
  const s = await systemSettings<PmgSettings>("pmg");
  const key = `${endpoint}|${s.username}|${s.tlsFingerprint ?? ""}`;
  // A resource whose state names another endpoint (the gateway moved) is still reached with the
  // configured credentials and fingerprint: delete and refresh must work from its outputs alone.
  return (clients[key] ??= new PmgClient({ ...s, endpoint }));
}

/** For tests: the clients made so far (their counters prove one login per host). */
export function pmgClientsForTest(): Record<string, PmgClient> {
  return clients;
}
