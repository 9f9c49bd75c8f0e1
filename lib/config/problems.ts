/** Collects every config problem, each naming its `homelab-mail:` key, and the checks blocks share. */
import * as v from "../validate";
import { PROJECT, type HostPort } from "./types";

export type Raw = Record<string, unknown>;

/** Key names that mean someone put a secret where config is stored in plain text. */
export const CREDENTIAL_KEY = /pass(word)?|secret|token|api_?key|private_?key|credential/i;

/** Collects problems as "homelab-mail:<key path>: <reason>". */
export class Problems {
  readonly list: string[] = [];
  /** Accepted, but said on every run (lib/stackConfig.ts logs them as warnings). */
  readonly warnings: string[] = [];
  add(path: string, reason: string): void {
    this.list.push(`${PROJECT}:${path}: ${reason}`);
  }
  warn(path: string, reason: string): void {
    this.warnings.push(`${PROJECT}:${path}: ${reason}`);
  }
  check(path: string, value: unknown, rule: (x: unknown) => v.Problem): void {
    const p = rule(value);
    if (p) this.add(path, p);
  }
  object(path: string, value: unknown, required = true): Raw | undefined {
    if (value === undefined || value === null) {
      if (required) this.add(path, `is missing; set it in Pulumi.<stack>.yaml (see README, "Configuration")`);
      return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
      this.add(path, `must be an object, got ${Array.isArray(value) ? "a list" : typeof value}`);
      return undefined;
    }
    return value as Raw;
  }
  list_(path: string, value: unknown, required = true): unknown[] {
    if (value === undefined && !required) return [];
    if (!Array.isArray(value)) {
      this.add(path, value === undefined ? "is missing; give a list" : "must be a list");
      return [];
    }
    return value;
  }
  string(path: string, value: unknown, required = true): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value.trim() === "") {
      this.add(path, value === undefined ? "is missing" : "must be a non-empty string");
      return undefined;
    }
    if (/[\x00-\x1f\x7f]/.test(value)) this.add(path, "must not contain control characters or newlines");
    return value;
  }
  unknownKeys(path: string, obj: Raw, known: string[]): void {
    for (const k of Object.keys(obj)) {
      // Credential-like names are refused at every depth by refuseCredentialKeys (./secrets.ts).
      if (known.includes(k) || CREDENTIAL_KEY.test(k)) continue;
      this.add(`${path}.${k}`, `is not a known key; expected one of ${known.join(", ")}`);
    }
  }
}

export function addressesIn(p: Problems, path: string, value: unknown, domains: string[]): string[] {
  return p.list_(path, value).flatMap((a, i) => {
    const problem = v.email(a);
    if (problem) return (p.add(`${path}[${i}]`, problem), []);
    const address = (a as string).toLowerCase();
    const domain = address.split("@")[1];
    if (!domains.includes(domain)) {
      p.add(
        `${path}[${i}]`,
        `"${a}" is in ${domain}, which is not one of homelab-mail:domains; add the domain or fix the address`,
      );
    }
    return [address];
  });
}

export function hostPort(
  p: Problems,
  path: string,
  value: unknown,
  defaults: Partial<HostPort> = {},
): HostPort | undefined {
  const o = p.object(path, value, defaults.host === undefined);
  if (!o && defaults.host === undefined) return undefined;
  const merged = { ...defaults, ...(o ?? {}) };
  p.check(`${path}.host`, merged.host, v.host);
  p.check(`${path}.port`, merged.port, v.port);
  return o || defaults.host !== undefined
    ? { host: String(merged.host), port: Number(merged.port) }
    : undefined;
}
