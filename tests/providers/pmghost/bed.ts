/** The PMG host test bed, provider hosts configured for it, and the engine steps, for one test file. */
import { randomBytes } from "node:crypto";
import * as vm from "node:vm";
import { startProviderHost, type ProviderHost } from "../../harness/providerHost";
import { serializeProviders } from "../../harness/serialize";
import { startPmgHostBed, type PmgHostBed } from "../../servers/pmghost/server";
import { Engine } from "../engine";

export const FETCHMAIL = "pmghost:FetchmailConfig";
export const SASL = "pmghost:SaslPasswordMap";
export const TEMPLATE = "pmghost:PostfixTemplateBlock";
export const TLS = "pmghost:SmarthostTlsPolicy";
export const SYNC = "pmghost:PmgConfigSync";

export interface Secrets {
  readonly fetchmail: string;
  readonly smarthost: string;
}

export interface HostBed {
  readonly bed: PmgHostBed;
  readonly engine: Engine;
  readonly host: ProviderHost;
  readonly secrets: Secrets;
  /** The SSH target every resource's inputs carry. */
  readonly target: { sshHost: string; sshPort: number };
  /** A fresh provider host (one per deployment, as the engine starts one), with other secrets or config. */
  engineWith(opts?: {
    secrets?: Partial<Secrets>;
    extra?: Record<string, string>;
    hostKey?: string;
  }): Promise<Engine & { host: ProviderHost }>;
  close(): Promise<void>;
}

/**
 * Test-only credentials, generated now, full of what a careless quoting would trip over or run:
 * command substitutions, quotes, a backslash escape, a comment sign, `;`.
 */
export function testSecrets(): Secrets {
  const r = () => randomBytes(4).toString("hex");
  return {
    fetchmail: `${r()} $(touch /tmp/pwned-1)\`touch /tmp/pwned-2\`;"it's" \\x41 #`,
    smarthost: `${r()} ;$(touch /tmp/pwned-3) 'q' "\\" #`,
  };
}

/**
 * The `__provider` texts, serialized once per jest worker rather than once per test file: they
 * depend only on this checkout, and each serialization is a ts-node child loading all of Pulumi.
 * Jest gives every file a fresh module registry, so the cache hangs on the real process object.
 */
const CACHE = Symbol.for("homelab-mail.pmghost.providerTexts");
function providerTexts(): Promise<Record<string, string>> {
  const holder = vm.runInThisContext("process") as { [CACHE]?: Promise<Record<string, string>> };
  const texts = (holder[CACHE] ??= serializeProviders("tests/providers/shims.ts"));
  texts.catch(() => holder[CACHE] === texts && delete holder[CACHE]);
  return texts;
}

export async function startHostBed(): Promise<HostBed> {
  const texts = providerTexts();
  const bed = await startPmgHostBed();
  const secrets = testSecrets();
  const hosts: ProviderHost[] = [];
  const engineWith: HostBed["engineWith"] = async (opts = {}) => {
    const s = { ...secrets, ...opts.secrets };
    const host = await startProviderHost();
    hosts.push(host);
    const pmg = {
      endpoint: "https://127.0.0.1:1",
      username: "root@pam",
      ssh: { host: bed.host, port: bed.port, user: bed.user, hostKey: opts.hostKey ?? bed.hostKey },
    };
    const config: Record<string, string> = {
      "homelab-mail:pmg": JSON.stringify(pmg),
      "homelab-mail:pmgPassword": "unused-in-these-tests",
      "homelab-mail:pmgSshPrivateKey": bed.privateKey,
      "homelab-mail:gmailFetchmailPassword": s.fetchmail,
      "homelab-mail:gmailSmarthostPassword": s.smarthost,
      ...opts.extra,
    };
    const secretKeys = [
      "homelab-mail:pmgSshPrivateKey",
      "homelab-mail:gmailFetchmailPassword",
      "homelab-mail:gmailSmarthostPassword",
    ];
    await host.configure(config, { secretKeys });
    return Object.assign(new Engine(host, await texts), { host });
  };
  const first = await engineWith();
  return {
    bed,
    engine: first,
    host: first.host,
    secrets,
    target: { sshHost: bed.host, sshPort: bed.port },
    engineWith,
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
      await bed.close();
    },
  };
}
