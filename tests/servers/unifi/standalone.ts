// `npm run test-server -- unifi [--port N] [--version 10.1.78] [--v2-put false] [--login-limit N]`:
// the stand-in console for exploration and other tools. Test-only credentials are generated at start.
import { startUnifiServer } from "./server";

// A type, not an interface: start.ts takes it as an object with more keys than its four.
export type StandaloneInfo = {
  url: string;
  username: string;
  password: string;
  fingerprint: string;
  /** For the X-API-Key header. */
  apiKey: string;
  version: string;
};

export async function startUnifiStandalone(
  flags: Map<string, string>,
): Promise<{ info: StandaloneInfo; close(): Promise<void> }> {
  const int = (name: string) => {
    const v = flags.get(name);
    if (v !== undefined && !/^\d+$/.test(v)) throw new Error(`--${name} needs a number, got '${v}'`);
    return v === undefined ? undefined : Number(v);
  };
  const version = flags.get("version") ?? "10.1.78";
  if (!/^\d+\.\d+(\.\d+)?$/.test(version))
    throw new Error(`--version must look like 10.1.78, got '${version}'`);
  const put = flags.get("v2-put");
  if (put !== undefined && put !== "true" && put !== "false")
    throw new Error(`--v2-put must be true or false`);
  const server = await startUnifiServer({
    port: int("port"),
    version,
    v2Put: put !== "false",
    loginLimit: int("login-limit"),
  });
  const { url, username, password, fingerprint, apiKey } = server;
  return { info: { url, username, password, fingerprint, apiKey, version }, close: () => server.close() };
}
