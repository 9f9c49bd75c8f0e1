/**
 * The command line of `npm run verify` (USAGE below), turned into where the outputs come from and
 * the options of the run. Secrets are never taken from the command line (`ps` shows it): PMG's
 * credentials come from the environment (verify/pmg.ts), the accounts' from the outputs.
 */
import { readFileSync } from "node:fs";
import { HomelabMailError } from "../lib/errors";
import type { VerifyOptions } from "./context";
import { parseDnsServers } from "./dns";
import type { OutputsSource } from "./outputs";
import { pmgAccessFromEnv } from "./pmg";
import { ROUND_TRIP_USAGE, ROUND_TRIP_VALUED, roundTripOptions } from "./roundTrip";
import type { TlsTrust } from "./tls";

export const USAGE = `usage: npm run verify -- [--stack NAME | --outputs FILE] [options]
  --stack NAME             read the outputs of this stack (pulumi stack output --json --show-secrets)
  --outputs FILE           read the outputs from a JSON file instead
  --dns IP[:PORT],...      resolver for the public mail records (default: the system's)
  --internal-dns IP[:PORT] resolver for the internal records (default: as --dns)
  --imap-ca FILE           trust this CA (PEM) for IMAP instead of the system's
  --imap-fingerprint SHA256  pin the IMAP server's certificate (self-signed Stalwart)
  --to ADDRESS             recipient of the test message (default: the first account's first address)
  --from ADDRESS           sender of the test message (default: the recipient)
  --no-send                send no test message
  --timeout SECONDS        how long to wait for the test message to arrive (default 120)
  --json                   one JSON object instead of the table
${ROUND_TRIP_USAGE}
environment: PMG_ENDPOINT, PMG_USERNAME, PMG_PASSWORD [, PMG_TLS_FINGERPRINT] to compare DNS with PMG's live DKIM key;
  gmailSmarthostPassword [, gmailFetchmailPassword] for --round-trip`;

export interface Invocation {
  readonly help: boolean;
  readonly json: boolean;
  readonly source: OutputsSource;
  readonly options: VerifyOptions;
}

const VALUED = new Set([
  "stack",
  "outputs",
  "dns",
  "internal-dns",
  "imap-ca",
  "imap-fingerprint",
  "to",
  "from",
  "timeout",
  ...ROUND_TRIP_VALUED,
]);
const SWITCHES = new Set(["no-send", "json", "help", "round-trip"]);

const usage = (message: string) => new HomelabMailError("E_VERIFY_USAGE", `${message}\n${USAGE}`);

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!m) throw usage(`unexpected argument '${argv[i]}'`);
    const [, name, inline] = m;
    if (SWITCHES.has(name) && inline === undefined) flags.set(name, "");
    else if (VALUED.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw usage(`--${name} needs a value`);
      flags.set(name, value);
    } else throw usage(`unknown option --${name}`);
  }
  if (flags.has("stack") && flags.has("outputs")) throw usage("give --stack or --outputs, not both");
  if (flags.has("imap-ca") && flags.has("imap-fingerprint")) {
    throw usage("give --imap-ca or --imap-fingerprint, not both");
  }
  const timeout = Number(flags.get("timeout") ?? "120");
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) {
    throw usage(`--timeout must be seconds from 1 to 3600, got '${flags.get("timeout")}'`);
  }
  const source: OutputsSource = flags.has("outputs")
    ? { kind: "file", path: flags.get("outputs")! }
    : { kind: "stack", stack: flags.get("stack") };
  const dns = flags.get("dns");
  const internal = flags.get("internal-dns");
  return {
    help: flags.has("help"),
    json: flags.has("json"),
    source,
    options: {
      dnsServers: dns !== undefined ? parseDnsServers(dns) : undefined,
      internalDnsServers: internal !== undefined ? parseDnsServers(internal) : undefined,
      imapTrust: trust(flags.get("imap-ca"), flags.get("imap-fingerprint")),
      to: flags.get("to"),
      from: flags.get("from"),
      send: !flags.has("no-send"),
      deliveryTimeoutMs: timeout * 1000,
      timeoutMs: 10_000,
      pmg: pmgAccessFromEnv(env),
      roundTrip: roundTripOptions(flags, env),
    },
  };
}

function trust(caFile?: string, fingerprint?: string): TlsTrust {
  if (fingerprint !== undefined) {
    if (!/^([0-9a-f]{2}:?){31}[0-9a-f]{2}$/i.test(fingerprint)) {
      throw usage("--imap-fingerprint must be a SHA-256 fingerprint: 64 hex digits, with or without colons");
    }
    return { kind: "pin", fingerprint };
  }
  if (caFile === undefined) return { kind: "system" };
  try {
    return { kind: "ca", file: caFile, pem: readFileSync(caFile, "utf8") };
  } catch (err) {
    throw usage(`--imap-ca ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
