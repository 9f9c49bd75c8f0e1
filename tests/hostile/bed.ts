/**
 * Every system's stand-in and one provider host configured for all of them, for the hostile-input
 * suite: it only needs to prove that nothing reaches any server. The PMG host's SSH side is a bare
 * TCP listener that counts connections (no SSH is spoken: a check must never get that far).
 */
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { utils } from "ssh2";
import { startProviderHost, type ProviderHost } from "../harness/providerHost";
import { serializeProviders } from "../harness/serialize";
import { Engine } from "../providers/engine";
import { startPmgServer } from "../servers/pmg/server";
import { startStalwartServer } from "../servers/stalwart/server";
import { startUnifiServer } from "../servers/unifi/server";

export interface HostileBed {
  readonly engine: Engine;
  /** The inputs that point a resource of `system` (the kind's prefix) at its stand-in. */
  target(system: string): Record<string, unknown>;
  /** Requests every stand-in has seen, plus TCP connections to the SSH listener. */
  contacts(): number;
  close(): Promise<void>;
}

export async function startHostileBed(): Promise<HostileBed> {
  const texts = serializeProviders("tests/providers/shims.ts");
  const [pmg, stalwart, unifi] = await Promise.all([
    startPmgServer({ authFailureDelayMs: 20 }),
    startStalwartServer({ api: "rest" }),
    startUnifiServer(),
  ]);
  let sshConnections = 0;
  const ssh = net.createServer((socket) => {
    sshConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => ssh.listen(0, "127.0.0.1", resolve));
  const sshPort = (ssh.address() as net.AddressInfo).port;
  const key = utils.generateKeyPairSync("ed25519");
  const pmgEndpoint = `https://127.0.0.1:${pmg.port}`;
  const secret = () => randomBytes(12).toString("base64url");
  const config: Record<string, string> = {
    "homelab-mail:pmg": JSON.stringify({
      endpoint: pmgEndpoint,
      username: pmg.username,
      tlsFingerprint: pmg.fingerprint,
      ssh: { host: "127.0.0.1", port: sshPort, user: "root", hostKey: key.public.trim() },
    }),
    "homelab-mail:pmgPassword": pmg.password,
    "homelab-mail:pmgSshPrivateKey": key.private,
    "homelab-mail:gmailFetchmailPassword": secret(),
    "homelab-mail:gmailSmarthostPassword": secret(),
    "homelab-mail:stalwart": JSON.stringify({ endpoint: stalwart.url, username: stalwart.username }),
    "homelab-mail:stalwartPassword": stalwart.password,
    "homelab-mail:unifi": JSON.stringify({ endpoint: unifi.url, tlsFingerprint: unifi.fingerprint }),
    "homelab-mail:unifiApiKey": unifi.apiKey,
  };
  const host: ProviderHost = await startProviderHost();
  await host.configure(config, {
    secretKeys: Object.keys(config).filter((k) => /Password|ApiKey|PrivateKey/.test(k)),
  });
  const targets: Record<string, Record<string, unknown>> = {
    pmg: { endpoint: pmgEndpoint },
    stalwart: { endpoint: stalwart.url },
    unifi: { endpoint: unifi.url },
    pmghost: { sshHost: "127.0.0.1", sshPort },
  };
  return {
    engine: new Engine(host, await texts),
    target: (system) => targets[system],
    contacts: () =>
      pmg.counters.requests + stalwart.counters.requests + unifi.counters.requests + sshConnections,
    async close() {
      await Promise.all([host.close(), pmg.close(), stalwart.close(), unifi.close()]);
      await new Promise((resolve) => ssh.close(resolve));
    },
  };
}
