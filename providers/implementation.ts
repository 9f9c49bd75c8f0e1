/**
 * What the provider host runs, loaded through providers/host.ts (compiled ahead of time, or by
 * ts-node): `configure`, and every kind's provider gated on a finished, successful configure.
 *
 * Besides gating every method on a finished `configure`, it applies three engine-level rules to
 * every resource kind (README, "Day 2: refresh, destroy, endpoints, retiring a system"):
 *  - a delete whose object a replacement adopted in this deployment leaves it alone (claims.ts);
 *  - a system whose block is gone from the stack config is retired: its deletes drop the
 *    resource from state and leave the object on the server, saying so; its reads keep the state;
 *  - a read or delete refused for a credential, pin or host key names the fix: run the program.
 */
import type * as pulumi from "@pulumi/pulumi";
import { claim, isClaimedElsewhere } from "./claims";
import { configure as configureContext, settings, type ConfigSource } from "./context";
import { withRunProgramHint } from "./lastUpConfig";
import { identityOf, registry, settingsParsers, systemOf } from "./registry";

export function configure(config: ConfigSource): Promise<void> {
  return configureContext(config, settingsParsers);
}

type Method = "check" | "diff" | "create" | "read" | "update" | "delete";
const METHODS: Method[] = ["check", "diff", "create", "read", "update", "delete"];
type Fn = (...args: unknown[]) => Promise<unknown>;
type Outs = Record<string, unknown>;

const wrapped: Record<string, pulumi.dynamic.ResourceProvider> = {};

/** The provider of one kind, each method gated on a finished, successful `configure`. */
export function provider(kind: string): pulumi.dynamic.ResourceProvider {
  if (wrapped[kind]) return wrapped[kind];
  const impl = registry[kind] as unknown as Record<Method, Fn | undefined>;
  if (!impl) {
    throw new Error(
      `provider: unknown resource kind ${kind}; state was written by a newer homelab-mail, so update this checkout`,
    );
  }
  const system = systemOf[kind];
  const retired = async () => (await settings()).systems[system] === undefined;
  const where = (props: Outs) => String(props.endpoint ?? props.sshHost ?? "its server");
  /** How the object was reached, as its outputs say. */
  const location = (props: Outs) => JSON.stringify([props.endpoint, props.sshHost, props.sshPort]);
  const gated: Record<string, Fn> = {};
  for (const m of METHODS) {
    const fn = impl[m];
    if (!fn) continue;
    gated[m] = async (...args: unknown[]) => {
      await settings();
      return fn.apply(impl, args);
    };
  }
  if (impl.create) {
    gated.create = async (inputs) => {
      await settings();
      const r = (await impl.create!.call(impl, inputs)) as { id: string; outs?: Outs };
      claim(identityOf(kind, r.id, r.outs ?? {}), location(r.outs ?? {}));
      return r;
    };
  }
  if (impl.update) {
    gated.update = async (id, olds, news) => {
      await settings();
      const r = (await impl.update!.call(impl, id, olds, news)) as { outs?: Outs };
      claim(identityOf(kind, String(id), r.outs ?? {}), location(r.outs ?? {}));
      return r;
    };
  }
  if (impl.read) {
    gated.read = async (id, props) => {
      if (await retired()) {
        console.error(
          `homelab-mail: ${kind} ${String(id)} on ${where((props ?? {}) as Outs)} kept as stored: homelab-mail:${system} is no longer in the stack config (retired)`,
        );
        return { id, props };
      }
      try {
        return await impl.read!.call(impl, id, props);
      } catch (e) {
        throw withRunProgramHint(e, "refresh");
      }
    };
  }
  gated.delete = async (id, props) => {
    const outs = (props ?? {}) as Outs;
    if (await retired()) {
      console.error(
        `homelab-mail: ${kind} ${String(id)} left in place on ${where(outs)} and dropped from the stack: ` +
          `homelab-mail:${system} is no longer in the stack config (retired). To delete it there instead, ` +
          `put the block back, remove its objects from it, run \`pulumi up\`, then remove the block.`,
      );
      return;
    }
    // The replacement created in this deployment adopted this very object (an endpoint change).
    if (isClaimedElsewhere(identityOf(kind, String(id), outs), location(outs))) return;
    if (!impl.delete) return;
    try {
      return await impl.delete.call(impl, id, props);
    } catch (e) {
      throw withRunProgramHint(e, "destroy");
    }
  };
  return (wrapped[kind] = gated as unknown as pulumi.dynamic.ResourceProvider);
}
