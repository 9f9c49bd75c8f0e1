/**
 * `pulumi up` of the real program into the lab: index.ts runs under Pulumi's mock runtime (as
 * tests/components/mocks.ts runs it), and every dynamic resource it registers goes through
 * Pulumi's own provider host (tests/harness) with the engine's steps (tests/providers/engine.ts):
 * Check, then Create, or Diff and Update/Replace against the state of the previous run. So what
 * lands on the lab's PMG host and in the stand-ins is what a real `pulumi up` would leave there.
 * Other resources (Cloudflare's) are recorded with their inputs, as the mocks do.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ProviderHost, PropertyBag } from "../harness/providerHost";
import { Engine, type State, type Step } from "../providers/engine";

const DYNAMIC = "pulumi-nodejs:dynamic/";
const ROOT = path.resolve(__dirname, "..", "..");

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

export interface DeployResult {
  /** Every registered resource, in registration order. */
  readonly resources: Registered[];
  /** The step each dynamic resource took, by resource name. */
  readonly steps: Record<string, Step>;
  /** Engine state of each dynamic resource, by name: the next run's "previous state". */
  readonly state: Record<string, State>;
  /** The stack outputs. */
  readonly exports: Record<string, unknown>;
}

/** Loads index.ts afresh (a new program run), in jest's module registry or Node's. */
function loadProgram(): Record<string, unknown> {
  const holder: { exports: Record<string, unknown> } = { exports: {} };
  if (typeof jest !== "undefined") {
    jest.isolateModules(() => {
      holder.exports = require("../../index");
    });
    return holder.exports;
  }
  for (const k of Object.keys(require.cache))
    if (
      k.startsWith(ROOT) &&
      !k.includes(`${path.sep}node_modules${path.sep}`) &&
      !k.includes(`${path.sep}tests${path.sep}`)
    )
      delete require.cache[k];
  return require("../../index") as Record<string, unknown>;
}

export async function deployProgram(o: {
  /** Stack config without the `homelab-mail:` prefix; secrets apart. */
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  host: ProviderHost;
  /** `__provider` text per resource kind (serializeProviders("tests/providers/shims.ts")). */
  texts: Record<string, string>;
  previous?: Record<string, State>;
  /** Where Pulumi-provider (non-dynamic) resources and invokes go, e.g. the Cloudflare stand-in's mock engine. */
  native?: {
    newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult>;
    call(args: pulumi.runtime.MockCallArgs): Promise<Record<string, unknown>>;
  };
}): Promise<DeployResult> {
  const engine = new Engine(o.host, o.texts);
  const resources: Registered[] = [];
  const steps: Record<string, Step> = {};
  const state: Record<string, State> = {};
  const failures: Error[] = [];
  let inFlight = 0;
  let onFailure: () => void = () => undefined;
  const failed = new Promise<void>((r) => (onFailure = r));
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const inputs = { ...args.inputs } as PropertyBag;
        delete inputs.__provider;
        resources.push({ type: args.type, name: args.name, inputs });
        if (!args.type.startsWith(DYNAMIC) && o.native && args.type.startsWith("cloudflare:")) {
          return o.native.newResource(args);
        }
        if (!args.type.startsWith(DYNAMIC)) {
          // Cloudflare: recorded. A destination address counts as verified (its owner clicked the link).
          const extra =
            args.type === "cloudflare:index/emailRoutingAddress:EmailRoutingAddress"
              ? { verified: "2026-01-01T00:00:00Z" }
              : {};
          return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
        }
        const kind = args.type.slice(DYNAMIC.length);
        inFlight++;
        try {
          const r = await engine.up(kind, inputs, o.previous?.[args.name]);
          steps[args.name] = r.step;
          state[args.name] = r.state;
          return { id: r.state.id, state: r.state.outputs };
        } catch (err) {
          failures.push(new Error(`${args.type} ${args.name}: ${(err as Error).message}`));
          // Let the resources already in flight finish, as the engine does, then stop waiting.
          setTimeout(onFailure, 2_000);
          throw err;
        } finally {
          inFlight--;
        }
      },
      call: (args) => (o.native ? o.native.call(args) : args.inputs),
    },
    "homelab-mail",
    "lab",
    false,
  );
  const all: Record<string, string> = {};
  // Keys without a namespace are the project's; `cloudflare:apiToken` and the like keep theirs.
  const key = (k: string) => (k.includes(":") ? k : `homelab-mail:${k}`);
  for (const [k, v] of Object.entries(o.config)) all[key(k)] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(o.secrets)) all[key(k)] = v;
  pulumi.runtime.setAllConfig(all, Object.keys(o.secrets).map(key));
  const exports = loadProgram();
  // Wait for every output (and so every registration it depends on), then for stragglers.
  const settled = async () => {
    await Promise.all(
      Object.values(exports).map(
        (v) => new Promise((resolve) => (pulumi.output(v) as pulumi.Output<unknown>).apply(resolve)),
      ),
    );
  };
  await Promise.race([settled(), failed]);
  // Resources nothing exported depends on (the PMG host's) may still be registering or in flight.
  for (let n = -1; n !== resources.length || inFlight > 0;) {
    n = resources.length;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (failures.length > 0)
    throw new Error(`lab deployment failed:\n${failures.map((f) => f.message).join("\n")}`);
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(exports))
    plain[k] = await new Promise((resolve) => (pulumi.output(v) as pulumi.Output<unknown>).apply(resolve));
  return { resources, steps, state, exports: plain };
}
