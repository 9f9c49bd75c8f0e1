/**
 * Runs the program (index.ts) under Pulumi's mock runtime with a given stack config and records
 * every resource it registers, by type and name. Cloudflare resources and invokes go to a Cloudflare
 * stand-in through CloudflareMockEngine (./cloudflareMock.ts): the one given, which keeps its state
 * across runs like a stack, or a fresh one per run with the config's account and zones.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ModelOptions } from "../servers/cloudflare/model";
import { CloudflareMockEngine } from "./cloudflareMock";

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** The exports (stack outputs) of the latest runProgram. */
export const lastRun: { exports: Record<string, unknown> } = { exports: {} };

export interface RunOptions {
  /** The stack's Cloudflare; default a fresh stand-in holding the config's account and zones. */
  readonly cloudflare?: CloudflareMockEngine;
  /** `pulumi preview` instead of `pulumi up`. */
  readonly preview?: boolean;
  /** The DKIM TXT value PMG's selector reports (default a short test key). */
  readonly dkimTxtValue?: string;
}

/** A fresh stand-in with the account and zones the config names. */
export function cloudflareFor(
  config: Record<string, unknown>,
  adoptExisting = false,
  model: ModelOptions = {},
): Promise<CloudflareMockEngine> {
  const domains = (config.domains ?? []) as { name: string; cloudflareZoneId: string }[];
  return CloudflareMockEngine.start(
    {
      accountId: config.cloudflareAccountId as string | undefined,
      zones: domains.map((d) => d.name),
      zoneIds: domains.map((d) => d.cloudflareZoneId),
      ...model,
    },
    adoptExisting,
  );
}

/** An output's value; in a preview, unknown parts resolve too (as Pulumi's internal unknown marker). */
export function settle(o: unknown): Promise<unknown> {
  return (pulumi.output(o) as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true);
}

export async function runProgram(
  config: Record<string, unknown>,
  secrets: Record<string, string>,
  opts: RunOptions = {},
): Promise<Registered[]> {
  const cloudflare = opts.cloudflare ?? (await cloudflareFor(config));
  try {
    return await run(config, secrets, opts, cloudflare);
  } finally {
    // Closed on every path, a program that throws included: an open stand-in keeps jest's worker alive.
    if (!opts.cloudflare) await cloudflare.close();
  }
}

async function run(
  config: Record<string, unknown>,
  secrets: Record<string, string>,
  opts: RunOptions,
  cloudflare: CloudflareMockEngine,
): Promise<Registered[]> {
  const registered: Registered[] = [];
  await cloudflare.beginRun(opts.preview === true);
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        if (cloudflare.handles(args.type)) return cloudflare.newResource(args);
        const state = { ...args.inputs };
        if (args.type.endsWith(":StalwartPrincipal") && args.inputs.type === "individual") {
          Object.assign(state, {
            loginName: args.inputs.name,
            password: `mock-password-${args.inputs.name}`,
          });
        }
        if (args.type.endsWith("PmgDkimSelector")) {
          Object.assign(state, {
            publicKey: "MIIBIjANBg",
            txtValue: opts.dkimTxtValue ?? "v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBg",
            active: true,
          });
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) => (args.token.startsWith("cloudflare:") ? cloudflare.call(args) : args.inputs),
    },
    "homelab-mail",
    "homelab",
    opts.preview === true,
  );
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(config))
    all[`homelab-mail:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(secrets)) all[`homelab-mail:${k}`] = v;
  pulumi.runtime.setAllConfig(
    all,
    Object.keys(secrets).map((k) => `homelab-mail:${k}`),
  );
  const program: { exports: Record<string, unknown> } = { exports: {} };
  jest.isolateModules(() => {
    program.exports = require("../../index");
  });
  lastRun.exports = program.exports;
  // Let every registration and apply settle.
  await new Promise((r) => setTimeout(r, 50));
  // `promise(true)`: in a preview, unknown values resolve too (apply would never run for them).
  await Promise.all(Object.values(program.exports).map((o) => settle(o)));
  await new Promise((r) => setTimeout(r, 50));
  await cloudflare.endRun();
  return registered;
}
