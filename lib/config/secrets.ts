/**
 * Credentials in plain config, found two ways, values never echoed:
 * - a stack key of this project that holds a credential (every SECRET_KEYS entry, and any other key
 *   whose name looks like one) but was set without `--secret`: it then sits in clear text in
 *   Pulumi.<stack>.yaml. The engine tells the program which keys are secret: the Node language host
 *   passes PULUMI_CONFIG_SECRET_KEYS (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 *   `pulumiConfigSecretKeysVar`, since pulumi/pulumi#6896, May 2021), read by
 *   `runtime.isConfigSecret` (sdk/nodejs/runtime/config.ts).
 * - a credential-like key name at any depth of a structured block (`pmg.smarthost.password`,
 *   `pmg.ssh.privateKey`, `stalwart.accounts[0].secret`, ...): structured blocks are never secret.
 */
import { CREDENTIAL_KEY, type Problems } from "./problems";
import { PROJECT, SECRET_KEYS } from "./types";

/**
 * Providers this program configures from the same stack file: their credentials belong there only
 * encrypted too (README, "Setting up a stack": `pulumi config set --secret cloudflare:apiToken`).
 */
const PROVIDER_NAMESPACES = ["cloudflare"];

/** The full keys (`homelab-mail:pmgPassword`, `cloudflare:apiToken`) that hold a credential in plain text. */
export function plainTextCredentials(
  all: Readonly<Record<string, string>>,
  isSecret: (fullKey: string) => boolean,
): string[] {
  return Object.keys(all)
    .filter((full) => {
      const [namespace, key] = [full.slice(0, full.indexOf(":")), full.slice(full.indexOf(":") + 1)];
      // An empty value holds no credential (and counts as unset): nothing to encrypt.
      if (all[full] === "" || isSecret(full)) return false;
      if (namespace === PROJECT)
        return (SECRET_KEYS as readonly string[]).includes(key) || CREDENTIAL_KEY.test(key);
      return PROVIDER_NAMESPACES.includes(namespace) && CREDENTIAL_KEY.test(key);
    })
    .sort();
}

/** Each plain-text credential key, with the exact command that stores it encrypted instead. */
export function refusePlainTextCredentials(p: Problems, fullKeys: Iterable<string>): void {
  for (const full of fullKeys) {
    const reason =
      `is stored in plain text in Pulumi.<stack>.yaml (set without --secret); encrypt it: ` +
      `pulumi config set --secret ${full} (it prompts for the value), and rotate it if ` +
      `that file was ever committed or shared`;
    if (full.startsWith(`${PROJECT}:`)) p.add(full.slice(PROJECT.length + 1), reason);
    else p.list.push(`${full}: ${reason}`);
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
