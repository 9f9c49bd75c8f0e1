/**
 * Stalwart's connection settings from stack config, and the one API client per endpoint built from
 * them (so the generation is detected once per provider process). Credentials and account passwords
 * arrive only here, through `configure`: never in a resource's inputs.
 */
import { plainHttpOverNetwork, plainHttpProblem } from "../../lib/config/plainHttp";
import { NotConfiguredError } from "../../lib/errors";
import { configObject, configValue, systemSettings, type ConfigSource } from "../context";
import { connect } from "./client";
import type { StalwartApi } from "./model";
import { StalwartTransport } from "./transport";

export interface StalwartSettings {
  readonly endpoint: string;
  readonly username: string;
  /** The secret homelab-mail:stalwartPassword (Basic auth), unless an API key is set. */
  readonly password?: string;
  /** The secret homelab-mail:stalwartApiKey, sent as `Bearer <key>` exactly as Stalwart showed it. */
  readonly apiKey?: string;
  readonly tlsFingerprint?: string;
  /** The secret homelab-mail:stalwartAccountPasswords: account name -> password; others are generated. */
  readonly accountPasswords: Readonly<Record<string, string>>;
  /**
   * homelab-mail:stalwart.diskQuotasRecalculated: the admin ran "Recalculate disk quotas" after the
   * 0.15 -> 0.16 migration, so usage counters of migrated accounts can be trusted again.
   */
  readonly diskQuotasRecalculated: boolean;
  /** homelab-mail:stalwart.allowPlainHttp: plain http to a non-loopback endpoint was acknowledged. */
  readonly allowPlainHttp: boolean;
}

export function parseStalwartSettings(config: ConfigSource): StalwartSettings | undefined {
  const s = configObject(config, "stalwart");
  if (!s) return undefined;
  const password = configValue(config, "stalwartPassword");
  const apiKey = configValue(config, "stalwartApiKey");
  const problems: string[] = [];
  if (typeof s.endpoint !== "string") problems.push("homelab-mail:stalwart.endpoint is missing");
  if (typeof s.username !== "string" && !apiKey) problems.push("homelab-mail:stalwart.username is missing");
  if (!password && !apiKey) {
    problems.push(
      "homelab-mail:stalwartPassword is not set; run: pulumi config set --secret homelab-mail:stalwartPassword",
    );
  }
  const accountPasswords = parseAccountPasswords(configValue(config, "stalwartAccountPasswords"), problems);
  const plain = plainHttpProblem(s.endpoint, s.allowPlainHttp === true);
  if (plain) problems.push(`homelab-mail:stalwart.endpoint ${plain}`);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return {
    endpoint: String(s.endpoint),
    username: typeof s.username === "string" ? s.username : "",
    password,
    apiKey,
    tlsFingerprint: typeof s.tlsFingerprint === "string" ? s.tlsFingerprint : undefined,
    accountPasswords,
    diskQuotasRecalculated: s.diskQuotasRecalculated === true,
    allowPlainHttp: s.allowPlainHttp === true,
  };
}

/** `{"noreply": "..."}`; 0.16 refuses passwords under 8 or over 128 bytes, so both APIs get the same rule. */
function parseAccountPasswords(raw: string | undefined, problems: string[]): Record<string, string> {
  if (!raw) return {};
  const key = "homelab-mail:stalwartAccountPasswords";
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    problems.push(
      `${key} must be an object of account name to password; run: pulumi config set --secret --path '${key}.<account>' <password>`,
    );
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, pw] of Object.entries(value)) {
    const bytes = typeof pw === "string" ? Buffer.byteLength(pw) : 0;
    if (typeof pw !== "string" || bytes < 8 || bytes > 128) {
      problems.push(`${key}.${name} must be a password of 8 to 128 bytes (Stalwart 0.16's limits)`);
    } else {
      out[name.trim().toLowerCase()] = pw;
    }
  }
  return out;
}

const clients: Record<string, Promise<StalwartApi>> = {};
const transports: StalwartTransport[] = [];

/** The API client for a Stalwart endpoint, shared by every resource in this process. */
export async function stalwartApi(stateEndpoint: string): Promise<StalwartApi> {
  const s = await systemSettings<StalwartSettings>("stalwart");
  const endpoint = reachableEndpoint(stateEndpoint, s);
  // A resource's own endpoint (from state, or declared by hand) gets the same rule as the config's.
  const plain = plainHttpProblem(endpoint, s.allowPlainHttp);
  if (plain) throw new NotConfiguredError(`stalwart: the endpoint ${endpoint} ${plain}`);
  const key = `${endpoint}|${s.username}|${s.tlsFingerprint ?? ""}`;
  // A resource whose state names another endpoint is still reached with the configured credentials:
  // delete and refresh must work from its outputs alone.
  clients[key] ??= (() => {
    const auth = s.apiKey ? { apiKey: s.apiKey } : { username: s.username, password: String(s.password) };
    const t = new StalwartTransport({ endpoint, auth, tlsFingerprint: s.tlsFingerprint });
    transports.push(t);
    return connect(t).catch((e) => {
      delete clients[key];
      throw e;
    });
  })();
  return clients[key];
}

/**
 * Where to reach a resource whose state names `endpoint`. State written while the config still said
 * `http://host:8080` is refreshed and deleted through the configured HTTPS listener of the same host
 * (the move to HTTPS, issue 14), rather than over plain http; anything else is used as it is.
 */
export function reachableEndpoint(
  endpoint: string,
  s: Pick<StalwartSettings, "endpoint" | "allowPlainHttp">,
): string {
  if (s.allowPlainHttp || !plainHttpOverNetwork(endpoint)) return endpoint;
  try {
    const from = new URL(endpoint);
    const to = new URL(s.endpoint);
    return to.protocol === "https:" && to.hostname === from.hostname ? s.endpoint : endpoint;
  } catch {
    return endpoint;
  }
}

/** The desired password of an account when the stack config sets one. */
export async function configuredPassword(name: string): Promise<string | undefined> {
  return (await systemSettings<StalwartSettings>("stalwart")).accountPasswords[name];
}

/** Whether the stack config says migrated accounts' usage counters were recalculated. */
export async function diskQuotasRecalculated(): Promise<boolean> {
  return (await systemSettings<StalwartSettings>("stalwart")).diskQuotasRecalculated === true;
}

/** For tests: request counters of every transport made so far. */
export function stalwartTransportsForTest(): readonly StalwartTransport[] {
  return transports;
}
