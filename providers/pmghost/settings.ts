/** The PMG host's SSH settings from stack config, and the one client per host built from them. */
import { utils } from "ssh2";
import * as v from "../../lib/validate";
import { configObject, configValue, systemSettings, type ConfigSource } from "../context";
import { PmgHostClient } from "./client";
import { HostFiles } from "./files";

export interface PmgHostSettings {
  readonly ssh: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly hostKey: string;
  };
  readonly privateKey: string;
  /** Gmail app password fetchmail logs in with (homelab-mail:gmailFetchmailPassword). */
  readonly fetchmailPassword?: string;
  /** Gmail app password Postfix relays with (homelab-mail:gmailSmarthostPassword). */
  readonly smarthostPassword?: string;
}

export function parsePmgHostSettings(config: ConfigSource): PmgHostSettings | undefined {
  const ssh = configObject(config, "pmg")?.ssh as Record<string, unknown> | undefined;
  if (ssh === undefined) return undefined;
  const problems: string[] = [];
  const port = ssh.port ?? 22;
  const hostProblem = v.host(ssh.host);
  if (hostProblem) problems.push(`homelab-mail:pmg.ssh.host ${hostProblem}`);
  const portProblem = v.port(port);
  if (portProblem) problems.push(`homelab-mail:pmg.ssh.port ${portProblem}`);
  if (typeof ssh.user !== "string" || ssh.user === "") problems.push("homelab-mail:pmg.ssh.user is missing");
  const keyProblem = v.sshHostKey(ssh.hostKey);
  if (keyProblem) problems.push(`homelab-mail:pmg.ssh.hostKey ${keyProblem}`);
  const privateKey = configValue(config, "pmgSshPrivateKey");
  if (!privateKey) {
    problems.push(
      "homelab-mail:pmgSshPrivateKey is not set; run: pulumi config set --secret homelab-mail:pmgSshPrivateKey < ~/.ssh/pmg_ed25519",
    );
  } else {
    const parsed = utils.parseKey(privateKey);
    // The parser's own message may quote key material: only its verdict is used.
    if (parsed instanceof Error || (Array.isArray(parsed) ? parsed[0] : parsed).isPrivateKey() !== true) {
      problems.push("homelab-mail:pmgSshPrivateKey is not an unencrypted OpenSSH or PEM private key");
    }
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  return {
    ssh: {
      host: String(ssh.host),
      port: Number(port),
      user: String(ssh.user),
      hostKey: String(ssh.hostKey).trim(),
    },
    privateKey: String(privateKey),
    fetchmailPassword: configValue(config, "gmailFetchmailPassword"),
    smarthostPassword: configValue(config, "gmailSmarthostPassword"),
  };
}

const clients: Record<string, HostFiles> = {};

/**
 * The host's file and command access, shared by every resource in this process (one SSH
 * connection per host). A resource whose state names another host than the config (the gateway
 * moved) is still reached with the configured user, key and pinned host key: delete and refresh
 * work from outputs alone, and a different machine fails the host key check, as it should.
 */
export async function pmgHost(host: string, port: number): Promise<HostFiles> {
  const s = await systemSettings<PmgHostSettings>("pmghost");
  const key = `${host}|${port}|${s.ssh.user}|${s.ssh.hostKey}`;
  const files = (clients[key] ??= new HostFiles(
    new PmgHostClient({ ...s.ssh, host, port, privateKey: s.privateKey }),
  ));
  files.client.secrets = [s.fetchmailPassword, s.smarthostPassword];
  return files;
}

/** For tests: the clients made so far (their counters prove one connection per host). */
export function pmgHostClientsForTest(): Record<string, HostFiles> {
  return clients;
}
