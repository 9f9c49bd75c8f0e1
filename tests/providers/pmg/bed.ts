/** A PMG stand-in, a provider host configured for it, and the engine steps, for one test file. */
import { startProviderHost } from "../../harness/providerHost";
import { serializeProviders } from "../../harness/serialize";
import { startPmgServer, type PmgServerOptions, type PmgTestServer } from "../../servers/pmg/server";
import { Engine } from "../engine";

export interface PmgBed {
  readonly pmg: PmgTestServer;
  readonly engine: Engine;
  readonly endpoint: string;
  /** Another host (fresh process) with extra config, e.g. adoptExisting. */
  engineWith(extra: Record<string, string>): Promise<Engine>;
  close(): Promise<void>;
}

let texts: Promise<Record<string, string>> | undefined;

export async function startPmgBed(opts: PmgServerOptions = {}): Promise<PmgBed> {
  texts ??= serializeProviders("tests/providers/shims.ts");
  const pmg = await startPmgServer({ authFailureDelayMs: 20, ...opts });
  const endpoint = `https://127.0.0.1:${pmg.port}`;
  const hosts: { close(): Promise<void> }[] = [];
  const engineWith = async (extra: Record<string, string>) => {
    const host = await startProviderHost();
    hosts.push(host);
    await host.configure(
      {
        "homelab-mail:pmg": JSON.stringify({
          endpoint,
          username: pmg.username,
          tlsFingerprint: pmg.fingerprint,
        }),
        "homelab-mail:pmgPassword": pmg.password,
        ...extra,
      },
      { secretKeys: ["homelab-mail:pmgPassword"] },
    );
    return new Engine(host, await texts!);
  };
  const engine = await engineWith({});
  return {
    pmg,
    engine,
    endpoint,
    engineWith,
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
      await pmg.close();
    },
  };
}
