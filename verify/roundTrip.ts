/**
 * `--round-trip`: what the round trip needs beyond verify's other options. A message sent through
 * PMG's relay to a service address never leaves PMG (PMG's transport for the domain goes straight
 * to Stalwart), so the round trip enters from the internet instead: it is submitted to the Gmail
 * smarthost (smtp.gmail.com:587, STARTTLS verified, SASL with the smarthost app password), goes
 * out to Cloudflare's MX, is forwarded to the Gmail service box, collected by fetchmail on PMG, and
 * delivered to Stalwart. The app passwords come from the environment, as `npm run render` reads
 * them (render/cli.ts): `gmailSmarthostPassword`, and optionally `gmailFetchmailPassword` to watch
 * the service box over IMAPS.
 */
import { readFileSync } from "node:fs";
import { HomelabMailError } from "../lib/errors";
import type { TlsTrust } from "./tls";

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface RoundTripOptions {
  /** The Gmail account of the smarthost and the service box (`--gmail-user`). */
  readonly gmailUser: string;
  readonly smarthost: HostPort;
  readonly gmailImap: HostPort;
  /** How Gmail's certificates are trusted: the system's CAs or `--gmail-ca`. Always verified. */
  readonly trust: TlsTrust;
  readonly smarthostPassword: string;
  /** When given, the service box is watched: the message arriving there, and leaving it. */
  readonly fetchmailPassword?: string;
  /** How long to wait for the message in Stalwart, in milliseconds (`--round-trip-timeout`). */
  readonly timeoutMs: number;
}

export const ROUND_TRIP_USAGE = `  --round-trip             also send one message from outside, through the Gmail smarthost, to --to
                           (default: the first account's first address) and follow it to Stalwart
  --gmail-user ADDRESS     the Gmail account of the smarthost and the service box (with --round-trip)
  --smarthost HOST[:PORT]  submission server (default smtp.gmail.com:587, STARTTLS required)
  --gmail-imap HOST[:PORT] the service box's IMAPS server (default imap.gmail.com:993)
  --gmail-ca FILE          trust this CA (PEM) for Gmail instead of the system's
  --round-trip-timeout SECONDS  how long to wait for it in Stalwart (default 600)`;

export const ROUND_TRIP_VALUED = [
  "gmail-user",
  "smarthost",
  "gmail-imap",
  "gmail-ca",
  "round-trip-timeout",
] as const;

const usage = (message: string) => new HomelabMailError("E_VERIFY_USAGE", message);

export function roundTripOptions(
  flags: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv,
): RoundTripOptions | undefined {
  if (!flags.has("round-trip")) {
    const stray = ROUND_TRIP_VALUED.find((f) => flags.has(f));
    if (stray) throw usage(`--${stray} is an option of --round-trip: add --round-trip`);
    return undefined;
  }
  const gmailUser = flags.get("gmail-user");
  if (!gmailUser || !gmailUser.includes("@")) {
    throw usage(
      "--round-trip needs --gmail-user <the Gmail address PMG relays through and fetchmail collects from>",
    );
  }
  const smarthostPassword = env.gmailSmarthostPassword;
  if (!smarthostPassword) {
    throw usage(
      "--round-trip needs the smarthost app password in the environment variable gmailSmarthostPassword (the value of homelab-mail:gmailSmarthostPassword; never on the command line)",
    );
  }
  const timeout = Number(flags.get("round-trip-timeout") ?? "600");
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) {
    throw usage(
      `--round-trip-timeout must be seconds from 1 to 3600, got '${flags.get("round-trip-timeout")}'`,
    );
  }
  const caFile = flags.get("gmail-ca");
  let trust: TlsTrust = { kind: "system" };
  if (caFile !== undefined) {
    try {
      trust = { kind: "ca", file: caFile, pem: readFileSync(caFile, "utf8") };
    } catch (err) {
      throw usage(`--gmail-ca ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return {
    gmailUser,
    smarthost: hostPort("smarthost", flags.get("smarthost") ?? "smtp.gmail.com:587", 587),
    gmailImap: hostPort("gmail-imap", flags.get("gmail-imap") ?? "imap.gmail.com:993", 993),
    trust,
    smarthostPassword,
    fetchmailPassword: env.gmailFetchmailPassword || undefined,
    timeoutMs: timeout * 1000,
  };
}

function hostPort(flag: string, spec: string, defaultPort: number): HostPort {
  const m = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(spec);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!m || port < 1 || port > 65535) throw usage(`--${flag} must be HOST[:PORT], got '${spec}'`);
  return { host: m[1], port };
}
