// Standalone starter for the test stand-in servers:
//   npm run test-server -- pmg [--port N] [--version 7|8|9] [--auth-failure-delay-ms MS]
//   npm run test-server -- unifi [--port N] [--version 10.1.78] [--v2-put false] [--login-limit N]  (adds "apiKey", "version")
//   npm run test-server -- stalwart [--api rest|jmap] [--port N] [--version 0.15.5]  (plain HTTP; adds "api", "version", "apiKey")
//   npm run test-server -- pmghost [--port N]  (real sshd, needs root; adds "hostKey", "privateKey", "root")
//   npm run test-server -- cloudflare [--port N] [--apex-name accept|refuse] [--spf-on-enable replace|add|keep]
//     (prints {"url" (ending /client/v4),"apiToken","fingerprint","accountId","zoneIds"} instead)
// Prints exactly one JSON line {"url","username","password","fingerprint"} (test-only credentials
// generated at start) and serves until killed (SIGINT/SIGTERM).
import { randomBytes } from "node:crypto";
import { startPmgServer } from "./pmg/server";
import { startUnifiStandalone } from "./unifi/standalone";
import { startStalwartStandalone } from "./stalwart/standalone";
import { startPmgHostStandalone } from "./pmghost/standalone";
import { startCloudflareStandalone } from "./cloudflare/standalone";

interface Started {
  info: { url: string; fingerprint: string; [more: string]: unknown };
  close(): Promise<void>;
}

type Starter = (flags: Map<string, string>) => Promise<Started>;

function intFlag(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} needs a number, got '${v}'`);
  return Number(v);
}

const STARTERS: Record<string, Starter> = {
  pmg: async (flags) => {
    const version = intFlag(flags, "version") ?? 9;
    if (version !== 7 && version !== 8 && version !== 9) throw new Error(`--version must be 7, 8 or 9`);
    const server = await startPmgServer({
      port: intFlag(flags, "port"),
      version,
      authFailureDelayMs: intFlag(flags, "auth-failure-delay-ms"),
      password: randomBytes(18).toString("base64url"),
    });
    const { url, username, password, fingerprint } = server;
    return { info: { url, username, password, fingerprint }, close: () => server.close() };
  },
  unifi: startUnifiStandalone,
  stalwart: startStalwartStandalone,
  pmghost: startPmgHostStandalone,
  cloudflare: startCloudflareStandalone,
};

function parseArgs(argv: string[]): { system?: string; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  let system: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (m) flags.set(m[1], m[2] ?? argv[++i] ?? "");
    else if (system === undefined) system = a;
    else throw new Error(`unexpected argument '${a}'`);
  }
  return { system, flags };
}

async function main(): Promise<void> {
  const { system, flags } = parseArgs(process.argv.slice(2));
  const starter = system !== undefined ? STARTERS[system] : undefined;
  if (!starter) {
    throw new Error(`usage: start.ts <${Object.keys(STARTERS).join("|")}> [--port N] [--version V]`);
  }
  const started = await starter(flags);
  process.stdout.write(`${JSON.stringify(started.info)}\n`);
  const stop = () => {
    void started.close().finally(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
