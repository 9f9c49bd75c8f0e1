/** A UniFi stand-in, a provider host configured for it, and the engine steps, for one test file. */
import { startProviderHost, type ProviderHost } from "../../harness/providerHost";
import { serializeProviders } from "../../harness/serialize";
import { startUnifiServer, type UnifiServerOptions, type UnifiTestServer } from "../../servers/unifi/server";
import { Engine } from "../engine";

export interface UnifiBed {
  readonly unifi: UnifiTestServer;
  readonly engine: Engine;
  readonly host: ProviderHost;
  readonly endpoint: string;
  /** Another host (a fresh process) with extra config, e.g. adoptExisting. */
  engineWith(extra: Record<string, string>): Promise<Engine>;
  close(): Promise<void>;
}

let texts: Promise<Record<string, string>> | undefined;

export async function startUnifiBed(opts: UnifiServerOptions = {}): Promise<UnifiBed> {
  texts ??= serializeProviders("tests/providers/unifi/shims.ts");
  const unifi = await startUnifiServer(opts);
  const endpoint = unifi.url;
  const hosts: ProviderHost[] = [];
  const hostWith = async (extra: Record<string, string>) => {
    const host = await startProviderHost();
    hosts.push(host);
    await host.configure(
      {
        "homelab-mail:unifi": JSON.stringify({ endpoint, tlsFingerprint: unifi.fingerprint, records: [] }),
        "homelab-mail:unifiApiKey": unifi.apiKey,
        ...extra,
      },
      { secretKeys: ["homelab-mail:unifiApiKey"] },
    );
    return host;
  };
  const host = await hostWith({});
  return {
    unifi,
    engine: new Engine(host, await texts),
    host,
    endpoint,
    engineWith: async (extra) => new Engine(await hostWith(extra), await texts!),
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
      await unifi.close();
    },
  };
}
