/**
 * Stalwart stand-ins (one per API generation, sharing one admin password), provider hosts configured
 * for them, and the engine steps. Resources carry their endpoint, so one host serves both servers:
 * hosts are the slow part (each compiles the providers), and there is one per configuration.
 */
import { randomBytes } from "node:crypto";
import { startProviderHost, type ProviderHost } from "../../harness/providerHost";
import { serializeProviders } from "../../harness/serialize";
import type { Generation } from "../../servers/stalwart/auth";
import { startStalwartServer, type StalwartTestServer } from "../../servers/stalwart/server";
import { Engine } from "../engine";

export const KIND = "stalwart:StalwartPrincipal";

export interface StalwartBeds {
  readonly servers: Record<Generation, StalwartTestServer>;
  /** The engine over a host configured with the admin credentials only. */
  readonly engine: Engine;
  /** An engine over another host (a fresh process, as a new `pulumi up` would be) with extra config; one per config. */
  engineWith(extra: Record<string, string>, auth?: Record<string, string>): Promise<Engine>;
  /** Whether `login:password` authenticates (HTTP Basic on the JMAP session, as IMAP would check it). */
  canLogin(server: StalwartTestServer, login: string, password: string): Promise<boolean>;
  close(): Promise<void>;
}

let texts: Promise<Record<string, string>> | undefined;

export async function startStalwartBeds(...extras: Record<string, string>[]): Promise<StalwartBeds> {
  texts ??= serializeProviders("tests/providers/shims.ts");
  const password = randomBytes(18).toString("base64url");
  const [rest, jmap] = await Promise.all([
    startStalwartServer({ api: "rest", password }),
    startStalwartServer({ api: "jmap", password }),
  ]);
  const hosts: ProviderHost[] = [];
  const engines = new Map<string, Promise<Engine>>();
  const start = async (extra: Record<string, string>, auth?: Record<string, string>) => {
    const host = await startProviderHost();
    hosts.push(host);
    const credentials = auth ?? { "homelab-mail:stalwartPassword": password };
    const config = {
      "homelab-mail:stalwart": JSON.stringify({ endpoint: rest.url, username: rest.username }),
      ...credentials,
      ...extra,
    };
    await host.configure(config, {
      secretKeys: Object.keys(config).filter((k) => /Password|ApiKey/.test(k)),
    });
    const engine = new Engine(host, await texts!);
    // The first call makes the host compile the providers: do it now, while other hosts start too.
    await engine.check(KIND, { endpoint: rest.url, type: "domain", name: "example.net" });
    return engine;
  };
  const engineWith = (extra: Record<string, string>, auth?: Record<string, string>) => {
    const key = JSON.stringify([extra, auth]);
    if (!engines.has(key)) engines.set(key, start(extra, auth));
    return engines.get(key)!;
  };
  const [engine] = await Promise.all([engineWith({}), ...extras.map((e) => engineWith(e))]);
  return {
    servers: { rest, jmap },
    engine,
    engineWith,
    async canLogin(server, login, secret) {
      const authorization = `Basic ${Buffer.from(`${login}:${secret}`).toString("base64")}`;
      const res = await fetch(`${server.url}/jmap/session`, { headers: { authorization } });
      await res.text();
      return res.status === 200;
    },
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
      await Promise.all([rest.close(), jmap.close()]);
    },
  };
}
