/**
 * The Cloudflare API's settings, from the same config the Cloudflare provider reads: the token
 * `cloudflare:apiToken` (or CLOUDFLARE_API_TOKEN, as the provider accepts) and `cloudflare:baseUrl`
 * (or CLOUDFLARE_BASE_URL, read by this program only: `npm run adoption-plan` cannot decrypt config).
 * `homelab-mail:cloudflareTlsFingerprint` exists only for the test stand-in's self-signed certificate.
 */
import { NotConfiguredError } from "../../lib/errors";
import { settings, type ConfigSource } from "../context";
import { CloudflareClient } from "./client";

export interface CloudflareSettings {
  readonly apiToken?: string;
  readonly baseUrl?: string;
  readonly tlsFingerprint?: string;
}

export function parseCloudflareSettings(config: ConfigSource): CloudflareSettings {
  return {
    apiToken: config.get("cloudflare:apiToken") ?? process.env.CLOUDFLARE_API_TOKEN,
    baseUrl: config.get("cloudflare:baseUrl") ?? process.env.CLOUDFLARE_BASE_URL,
    tlsFingerprint: config.get("homelab-mail:cloudflareTlsFingerprint"),
  };
}

let cached: { key: string; client: CloudflareClient } | undefined;

/** The one client of this provider process. */
export async function cloudflareClient(): Promise<CloudflareClient> {
  const s = (await settings()).systems.cloudflare as CloudflareSettings | undefined;
  if (!s?.apiToken)
    throw new NotConfiguredError(
      "cloudflare: cloudflare:apiToken is not set; run: pulumi config set --secret cloudflare:apiToken",
    );
  const key = `${s.baseUrl ?? ""}|${s.tlsFingerprint ?? ""}|${s.apiToken}`;
  if (cached?.key !== key) {
    void cached?.client.close();
    cached = {
      key,
      client: new CloudflareClient({
        apiToken: s.apiToken,
        baseUrl: s.baseUrl,
        tlsFingerprint: s.tlsFingerprint,
      }),
    };
  }
  return cached.client;
}

/** Closes the process's client (tests that run the provider in their own process). */
export async function closeCloudflareClient(): Promise<void> {
  const c = cached?.client;
  cached = undefined;
  await c?.close();
}
