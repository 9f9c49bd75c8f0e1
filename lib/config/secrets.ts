/**
 * Credentials in plain config, found two ways, values never echoed:
 * - a stack key of this project that holds a credential (every SECRET_KEYS entry, and any other key
 *   whose name looks like one) but was set without `--secret`: it then sits in clear text in
 *   Pulumi.<stack>.yaml. The engine tells the program which keys are secret: the Node language host
 *   passes PULUMI_CONFIG_SECRET_KEYS (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 *   `pulumiConfigSecretKeysVar`), read by `runtime.isConfigSecret` (sdk/nodejs/runtime/config.ts).
 * - a credential-like key name at any depth of a structured block (`pmg.smarthost.password`,
 *   `pmg.ssh.privateKey`, `stalwart.accounts[0].secret`, ...): structured blocks are never secret.
 */
import { CREDENTIAL_KEY, type Problems } from "./problems";
import { PROJECT, SECRET_KEYS } from "./types";

/** The project's keys (without `homelab-mail:`) that hold a credential but are stored in plain text. */
export function plainTextCredentials(
  all: Readonly<Record<string, string>>,
  isSecret: (fullKey: string) => boolean,
): string[] {
  const prefix = `${PROJECT}:`;
  return (
    Object.keys(all)
      // An empty value holds no credential (and counts as unset): nothing to encrypt.
      .filter((k) => k.startsWith(prefix) && all[k] !== "")
      .map((k) => k.slice(prefix.length))
      .filter((k) => (SECRET_KEYS as readonly string[]).includes(k) || CREDENTIAL_KEY.test(k))
      .filter((k) => !isSecret(`${prefix}${k}`))
      .sort()
  );
}

/** Each plain-text credential key, with the exact command that stores it encrypted instead. */
export function refusePlainTextCredentials(p: Problems, keys: Iterable<string>): void {
  for (const key of keys) {
    p.add(
      key,
      `is stored in plain text in Pulumi.<stack>.yaml (set without --secret); encrypt it: ` +
        `pulumi config set --secret ${PROJECT}:${key} (it prompts for the value), and rotate it if ` +
        `that file was ever committed or shared`,
    );
  }
}

/** Walks a structured block and refuses every credential-like key name in it, at any depth. */
export function refuseCredentialKeys(p: Problems, path: string, value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach((x, i) => refuseCredentialKeys(p, `${path}[${i}]`, x));
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
    if (CREDENTIAL_KEY.test(k)) {
      p.add(
        `${path}.${k}`,
        'looks like a credential in plain config; remove it, and keep secrets in `pulumi config set --secret` keys (README, "Setting up a stack")',
      );
    } else refuseCredentialKeys(p, `${path}.${k}`, x);
  }
}
