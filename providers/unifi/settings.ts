/**
 * The UniFi console's connection settings from stack config, and what is built from them once per
 * provider process: one client per console, one API detection per console and site, one surface per
 * console, site and API. The records themselves are resource inputs, not settings.
 */
import { configObject, configValue, systemSettings, type ConfigSource } from "../context";
import { UnifiClient } from "./client";
import { detectApi, resolveSiteId, type Detected } from "./detect";
import { DnsPolicySurface } from "./integration";
import type { ApiName, DnsSurface } from "./surface";
import { StaticDnsSurface } from "./v2";

export interface UnifiSettings {
  readonly endpoint: string;
  readonly apiKey: string;
  readonly tlsFingerprint?: string;
}

export function parseUnifiSettings(config: ConfigSource): UnifiSettings | undefined {
  const unifi = configObject(config, "unifi");
  if (!unifi) return undefined;
  const apiKey = configValue(config, "unifiApiKey");
  const problems: string[] = [];
  if (typeof unifi.endpoint !== "string") problems.push("homelab-mail:unifi.endpoint is missing");
  if (unifi.tlsFingerprint !== undefined && typeof unifi.tlsFingerprint !== "string")
    problems.push("homelab-mail:unifi.tlsFingerprint must be a string");
  if (!apiKey)
    problems.push(
      "homelab-mail:unifiApiKey is not set; run: pulumi config set --secret homelab-mail:unifiApiKey",
    );
  if (problems.length > 0) throw new Error(problems.join("; "));
  return {
    endpoint: String(unifi.endpoint),
    apiKey: String(apiKey),
    tlsFingerprint: unifi.tlsFingerprint as string | undefined,
  };
}

const clients: Record<string, UnifiClient> = {};
const detections: Record<string, Promise<Detected>> = {};
const surfaces: Record<string, Promise<DnsSurface>> = {};

/** The client for a console, shared by every resource in this process. */
export async function unifiClient(endpoint: string): Promise<UnifiClient> {
  const s = await systemSettings<UnifiSettings>("unifi");
  // A record whose state names another console is still reached with the configured key and pin:
  // delete and refresh must work from its outputs alone.
  return (clients[`${endpoint}|${s.tlsFingerprint ?? ""}`] ??= new UnifiClient({ ...s, endpoint }));
}

/** The surface new records go to: detected once per console and site (a failed detection is tried again next call). */
export async function detectedApi(endpoint: string, site: string): Promise<Detected> {
  const client = await unifiClient(endpoint);
  const key = `${client.endpoint}|${site}`;
  detections[key] ??= detectApi(client, site).catch((e) => {
    delete detections[key];
    throw e;
  });
  return detections[key];
}

/** A surface of one console and site; `api` is the one a record was created on, or the detected one. */
export async function unifiSurface(endpoint: string, site: string, api?: ApiName): Promise<DnsSurface> {
  const client = await unifiClient(endpoint);
  const which = api ?? (await detectedApi(endpoint, site)).api;
  const key = `${client.endpoint}|${site}|${which}`;
  surfaces[key] ??= (async (): Promise<DnsSurface> =>
    which === "v2"
      ? new StaticDnsSurface(client, site)
      : new DnsPolicySurface(client, await resolveSiteId(client, site)))().catch((e) => {
    delete surfaces[key];
    throw e;
  });
  return surfaces[key];
}

/** For tests: the clients made so far (their counters prove one detection and no retry storms). */
export function unifiClientsForTest(): Record<string, UnifiClient> {
  return clients;
}
