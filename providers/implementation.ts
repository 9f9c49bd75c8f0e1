/**
 * What the provider host runs, loaded through providers/host.ts (compiled ahead of time, or by
 * ts-node): `configure`, and every kind's provider gated on a finished, successful configure.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configure as configureContext, settings, type ConfigSource } from "./context";
import { registry, settingsParsers } from "./registry";

export function configure(config: ConfigSource): Promise<void> {
  return configureContext(config, settingsParsers);
}

type Method = "check" | "diff" | "create" | "read" | "update" | "delete";
const METHODS: Method[] = ["check", "diff", "create", "read", "update", "delete"];

const wrapped: Record<string, pulumi.dynamic.ResourceProvider> = {};

/** The provider of one kind, each method gated on a finished, successful `configure`. */
export function provider(kind: string): pulumi.dynamic.ResourceProvider {
  if (wrapped[kind]) return wrapped[kind];
  const impl = registry[kind] as unknown as Record<
    Method,
    ((...args: unknown[]) => Promise<unknown>) | undefined
  >;
  if (!impl) {
    throw new Error(
      `provider: unknown resource kind ${kind}; state was written by a newer homelab-mail, so update this checkout`,
    );
  }
  const gated: Record<string, unknown> = {};
  for (const m of METHODS) {
    const fn = impl[m];
    if (!fn) continue;
    gated[m] = async (...args: unknown[]) => {
      await settings();
      return fn.apply(impl, args);
    };
  }
  return (wrapped[kind] = gated as unknown as pulumi.dynamic.ResourceProvider);
}
