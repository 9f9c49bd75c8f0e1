// `npm run test-server -- cloudflare [--port N] [--apex-name accept|refuse] [--spf-on-enable replace|add|keep]`:
// the stand-in API with two empty zones; a test-only token is generated at start.
import { startCloudflareServer } from "./server";

export type CloudflareStandaloneInfo = {
  /** The API base, ending in /client/v4. */
  url: string;
  apiToken: string;
  fingerprint: string;
  accountId: string;
  zoneIds: string[];
};

export async function startCloudflareStandalone(
  flags: Map<string, string>,
): Promise<{ info: CloudflareStandaloneInfo; close(): Promise<void> }> {
  const port = flags.get("port");
  if (port !== undefined && !/^\d+$/.test(port)) throw new Error(`--port needs a number, got '${port}'`);
  const apexName = flags.get("apex-name") ?? "refuse";
  if (apexName !== "accept" && apexName !== "refuse") throw new Error("--apex-name must be accept or refuse");
  const spfOnEnable = flags.get("spf-on-enable") ?? "replace";
  if (spfOnEnable !== "replace" && spfOnEnable !== "add" && spfOnEnable !== "keep")
    throw new Error("--spf-on-enable must be replace, add or keep");
  const server = await startCloudflareServer({
    port: port === undefined ? undefined : Number(port),
    apexName,
    spfOnEnable,
  });
  const { url, apiToken, fingerprint, accountId, zoneIds } = server;
  return { info: { url, apiToken, fingerprint, accountId, zoneIds }, close: () => server.close() };
}
