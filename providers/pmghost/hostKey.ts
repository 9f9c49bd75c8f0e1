/**
 * Host key pinning for the SSH client: which algorithms to let the server offer for the pinned
 * key, OpenSSH-style fingerprints, and what a failed connection attempt means, with its fix.
 */
import { createHash } from "node:crypto";
import { SshError } from "../../lib/errors";

/** Offering only the pinned key's algorithms makes the server present that very key (not another type it also has). */
const ALGORITHMS: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

export function hostKeyAlgorithms(type: string): string[] {
  return ALGORITHMS[type] ?? [type];
}

/** OpenSSH's fingerprint of a public key blob: `SHA256:<base64 without padding>`. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The typed error for a connection that never became ready: host key, authentication, or the network. */
export function connectFailure(
  host: string,
  user: string,
  err: Error & { level?: string },
  pinned: Buffer,
  presented: Buffer | undefined,
  redact: (text: string) => string,
): SshError {
  if (presented && !presented.equals(pinned)) {
    return new SshError(
      "E_SSH_HOSTKEY",
      host,
      "connect",
      `the host presented key ${fingerprint(presented)}, but homelab-mail:pmg.ssh.hostKey pins ${fingerprint(pinned)}`,
      "if the host was reinstalled, verify its new key out of band (ssh-keyscan -t ed25519 <host>, compared on the console) and update homelab-mail:pmg.ssh.hostKey; otherwise do not connect",
    );
  }
  if (err.level === "client-authentication") {
    return new SshError(
      "E_SSH_AUTH",
      host,
      "connect",
      "the host refused the key from homelab-mail:pmgSshPrivateKey",
      `add its public key to ~${user}/.ssh/authorized_keys on the host, or set the matching key with pulumi config set --secret homelab-mail:pmgSshPrivateKey`,
    );
  }
  return new SshError(
    "E_SSH_CONNECT",
    host,
    "connect",
    redact(err.message || String(err)),
    "check homelab-mail:pmg.ssh.host and port, and that sshd runs on the host",
  );
}
