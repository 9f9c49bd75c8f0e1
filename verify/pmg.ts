/**
 * PMG's live DKIM state through its API (GET /config/dkim/selector and /config/admin), with the
 * project's own PmgClient: the key PMG signs with right now, which may differ from what the last
 * `pulumi up` saw. Credentials come from the environment only, never from the command line (where
 * `ps` shows them): PMG_ENDPOINT, PMG_USERNAME, PMG_PASSWORD and optionally PMG_TLS_FINGERPRINT.
 */
import { parseDkimRecord } from "../lib/dkim";
import { ApiError, HomelabMailError } from "../lib/errors";
import { PmgClient } from "../providers/pmg/client";

export interface PmgAccess {
  readonly endpoint: string;
  /** With realm, e.g. `verify@pmg`; needs a role that may read /config (admin). */
  readonly username: string;
  readonly password: string;
  readonly tlsFingerprint?: string;
}

export interface PmgDkimState {
  /** The active selector, `admin.dkim_selector`; undefined when none is set. */
  readonly selector?: string;
  readonly keysize?: number;
  /** The TXT value for its key, `v=DKIM1; h=sha256; k=rsa; p=...`; undefined when the key file is missing. */
  readonly txtValue?: string;
  /** `admin.dkim_sign`: whether PMG signs at all. */
  readonly signing: boolean;
}

const ENV = ["PMG_ENDPOINT", "PMG_USERNAME", "PMG_PASSWORD"] as const;

/** PMG access from the environment; undefined when none of it is set, an error naming what is missing when part is. */
export function pmgAccessFromEnv(env: NodeJS.ProcessEnv): PmgAccess | undefined {
  const given = ENV.filter((k) => env[k]);
  if (given.length === 0) return undefined;
  const missing = ENV.filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new HomelabMailError(
      "E_VERIFY_USAGE",
      `PMG access: ${given.join(", ")} set but ${missing.join(", ")} missing; set all three (PMG_TLS_FINGERPRINT optional) or none`,
    );
  }
  if (!/^https:\/\/[^/]+/.test(env.PMG_ENDPOINT!)) {
    throw new HomelabMailError(
      "E_VERIFY_USAGE",
      `PMG_ENDPOINT must be https://host:8006, got ${JSON.stringify(env.PMG_ENDPOINT)}`,
    );
  }
  return {
    endpoint: env.PMG_ENDPOINT!,
    username: env.PMG_USERNAME!,
    password: env.PMG_PASSWORD!,
    tlsFingerprint: env.PMG_TLS_FINGERPRINT || undefined,
  };
}

export async function fetchPmgDkim(access: PmgAccess): Promise<PmgDkimState> {
  // Reads only: one attempt after the first is enough for a status check.
  const client = new PmgClient({ ...access, retry: { retries: 1, baseDelayMs: 200, maxDelayMs: 1_000 } });
  try {
    // {} without a selector, {selector} when its key file is missing, else {selector, keysize, record}.
    const info = await client.get<{ selector?: string; keysize?: number; record?: string }>(
      "/config/dkim/selector",
    );
    const admin = await client.get<{ dkim_sign?: number | boolean }>("/config/admin");
    return {
      selector: info?.selector || undefined,
      keysize: info?.keysize,
      txtValue: info?.record ? parseDkimRecord(info.record).txtValue : undefined,
      signing: admin?.dkim_sign === 1 || admin?.dkim_sign === true,
    };
  } finally {
    await client.close();
  }
}

/** PmgClient's errors name the stack config keys; verify's caller set environment variables instead. */
export function explainPmgError(err: unknown): string {
  if (err instanceof ApiError) {
    return `${err.method} ${err.path} failed (${err.status || "no answer"}): ${err.serverMessage}`;
  }
  if (err instanceof HomelabMailError && err.code === "E_TLS_PIN") {
    return `PMG's certificate does not match PMG_TLS_FINGERPRINT (${err.message.split(";")[0]})`;
  }
  return err instanceof Error ? err.message.split("\n")[0] : String(err);
}
