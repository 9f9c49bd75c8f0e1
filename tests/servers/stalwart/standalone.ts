// `npm run test-server -- stalwart [--api rest|jmap] [--port N] [--version 0.15.5]`: the stand-in
// Stalwart for exploration and other tools. Plain HTTP (Stalwart's default management listener is
// 8080 without TLS), so `fingerprint` is empty. Test-only credentials are generated at start.
import { startStalwartServer } from "./server";

// A type, not an interface: start.ts takes it as an object with more keys than its four.
export type StandaloneInfo = {
  url: string;
  username: string;
  password: string;
  fingerprint: string;
  /** `rest` (0.10-0.15) or `jmap` (0.16+). */
  api: string;
  version: string;
  /** A full `Authorization: Bearer` value's token, with admin rights. */
  apiKey: string;
};

export async function startStalwartStandalone(
  flags: Map<string, string>,
): Promise<{ info: StandaloneInfo; close(): Promise<void> }> {
  const api = flags.get("api") ?? "rest";
  if (api !== "rest" && api !== "jmap") throw new Error(`--api must be rest or jmap, got '${api}'`);
  const port = flags.get("port");
  if (port !== undefined && !/^\d+$/.test(port)) throw new Error(`--port needs a number, got '${port}'`);
  const version = flags.get("version");
  if (version !== undefined && !/^0\.\d+\.\d+$/.test(version))
    throw new Error(`--version must look like 0.15.5, got '${version}'`);
  const server = await startStalwartServer({
    api,
    port: port === undefined ? undefined : Number(port),
    version,
  });
  const { url, username, password, apiKey } = server;
  return {
    info: { url, username, password, fingerprint: "", api, version: server.version, apiKey },
    close: () => server.close(),
  };
}
