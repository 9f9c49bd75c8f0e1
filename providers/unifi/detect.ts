/**
 * Which surface a console speaks, found once per console and site (DNSControl's `api_version: auto`,
 * reference §0): the integration API's DNS policies where `/info` reports Network 10.1 or later and
 * the site's `dns/policies` answers, else the UI's v2 `static-dns`. The build that first shipped DNS
 * policies is not established (between 10.0.160 and 10.1.68), hence the probe after the version check.
 */
import { NotConfiguredError } from "../../lib/errors";
import type { UnifiClient } from "./client";
import { INTEGRATION, listAll } from "./integration";
import type { ApiName } from "./surface";

export interface Detected {
  readonly api: ApiName;
  /** `applicationVersion` from `/info`; undefined where the integration API is absent. */
  readonly version?: string;
}

export async function detectApi(client: UnifiClient, site: string): Promise<Detected> {
  const info = await client.request<{ applicationVersion?: unknown }>(
    "GET",
    `${INTEGRATION}/info`,
    undefined,
    [404],
  );
  if (info.status === 404) return { api: "v2" };
  const version =
    typeof info.data?.applicationVersion === "string" ? info.data.applicationVersion : undefined;
  if (!atLeast(version, 10, 1)) return { api: "v2", version };
  const siteId = await resolveSiteId(client, site);
  const probe = await client.request(
    "GET",
    `${INTEGRATION}/sites/${encodeURIComponent(siteId)}/dns/policies?offset=0&limit=1`,
    undefined,
    [404],
  );
  return { api: probe.status === 404 ? "v2" : "integration", version };
}

/**
 * The integration API names a site by UUID; the config (and v2) by its short name, which the API
 * calls `internalReference`. Listed and matched here rather than filtered on the server: a filter
 * the console does not understand silently returns no rows (reference §2, `.like()`).
 */
export async function resolveSiteId(client: UnifiClient, site: string): Promise<string> {
  const sites = await listAll(client, `${INTEGRATION}/sites`);
  const found = sites.find((s) => s.internalReference === site);
  if (typeof found?.id === "string") return found.id;
  const known = sites.map((s) => `${String(s.internalReference)} (${String(s.name)})`).join(", ") || "none";
  throw new NotConfiguredError(
    `unifi: the console at ${client.endpoint} has no site "${site}" (sites: ${known}); set homelab-mail:unifi.site`,
  );
}

/** Whether a version such as `10.1.78` is at least major.minor. */
export function atLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? "");
  if (!m) return false;
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}
