/**
 * Every system the providers speak to, and every dynamic resource kind by the kind its shim
 * carries in state. A system folder's index.ts exports `name`, `modules` (each with KIND and
 * provider), `parseSettings` and, where an endpoint change replaces its resources, `identity`:
 * the object's identity on its server whatever URL or address reaches it (providers/claims.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SettingsParser } from "./context";
import * as cloudflare from "./cloudflare";
import * as pmg from "./pmg";
import * as pmghost from "./pmghost";
import * as stalwart from "./stalwart";
import * as unifi from "./unifi";

interface System {
  readonly name: string;
  readonly modules: { KIND: string; provider: unknown }[];
  readonly parseSettings: SettingsParser;
  readonly identity?: (kind: string, id: string, outs: Record<string, unknown>) => string | undefined;
}

const systems: System[] = [pmg, pmghost, stalwart, unifi, cloudflare];

export const registry: Record<string, pulumi.dynamic.ResourceProvider> = Object.fromEntries(
  systems.flatMap((s) => s.modules.map((m) => [m.KIND, m.provider as pulumi.dynamic.ResourceProvider])),
);

export const settingsParsers: Record<string, SettingsParser> = Object.fromEntries(
  systems.map((s) => [s.name, s.parseSettings]),
);

/** The system (`pmg`, `pmghost`, ...) each resource kind belongs to. */
export const systemOf: Record<string, string> = Object.fromEntries(
  systems.flatMap((s) => s.modules.map((m) => [m.KIND, s.name])),
);

/** The location-independent identity of a resource's object, when its system defines one. */
export function identityOf(kind: string, id: string, outs: Record<string, unknown>): string | undefined {
  const system = systems.find((s) => s.name === systemOf[kind]);
  const identity = system?.identity?.(kind, id, outs);
  return identity === undefined ? undefined : `${kind}|${identity}`;
}
