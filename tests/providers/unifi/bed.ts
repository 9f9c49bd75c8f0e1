/**
 * UniFi stand-ins, provider hosts configured for them, and the engine steps, for one test file.
 * The consoles share one API key (and the process's one certificate), so one host serves them all:
 * each resource names its console in `endpoint`, as a real stack could.
 */
import { randomBytes } from "node:crypto";
import { startProviderHost, type ProviderHost } from "../../harness/providerHost";
import { serializeProviders } from "../../harness/serialize";
import { startUnifiServer, type UnifiServerOptions, type UnifiTestServer } from "../../servers/unifi/server";
import { Engine } from "../engine";

export interface UnifiBed {
  readonly consoles: UnifiTestServer[];
  readonly apiKey: string;
  /** Plain config. */
  readonly engine: Engine;
  /** With homelab-mail:adoptExisting true: a second host, started on first use. */
  adopting(): Promise<Engine>;
  /** Another host (a fresh process) with other config. */
  engineWith(extra: Record<string, string>): Promise<Engine>;
  close(): Promise<void>;
}

let texts: Promise<Record<string, string>> | undefined;

/** `adopting`: start the adopting host now, alongside the plain one (else on first use). */
export async function startUnifiBed(
  consoles: UnifiServerOptions[],
  opts: { adopting?: boolean } = {},
): Promise<UnifiBed> {
  texts ??= serializeProviders("tests/providers/unifi/shims.ts");
  const apiKey = randomBytes(24).toString("base64url");
  const servers = await Promise.all(consoles.map((o) => startUnifiServer({ ...o, apiKey })));
  const hosts: ProviderHost[] = [];
  const engineWith = async (extra: Record<string, string>) => {
    const host = await startProviderHost();
    hosts.push(host);
    await host.configure(
      {
        "homelab-mail:unifi": JSON.stringify({
          endpoint: servers[0].url,
          tlsFingerprint: servers[0].fingerprint,
        }),
        "homelab-mail:unifiApiKey": apiKey,
        ...extra,
      },
      { secretKeys: ["homelab-mail:unifiApiKey"] },
    );
    return new Engine(host, await texts!);
  };
  const adoptingWith = () => engineWith({ "homelab-mail:adoptExisting": "true" });
  let adopting = opts.adopting ? adoptingWith() : undefined;
  const engine = await engineWith({});
  await adopting;
  return {
    consoles: servers,
    apiKey,
    engine,
    adopting: () => (adopting ??= adoptingWith()),
    engineWith,
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
