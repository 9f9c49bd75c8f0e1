/**
 * The steps the Pulumi engine takes for one dynamic resource, over the real provider host:
 * up = Check, then Create (new) or Diff and then Update, Replace (create-before-delete) or nothing;
 * refresh = Read; destroy = Delete. State is what the engine keeps: id, inputs and outputs.
 *
 * `Stack` (below) replays whole operations the way the engine runs them, each cited in place.
 */
import { startProviderHost, type PropertyBag, type ProviderHost } from "../harness/providerHost";

export interface State {
  readonly id: string;
  readonly inputs: PropertyBag;
  readonly outputs: PropertyBag;
}

export type Step = "create" | "same" | "update" | "replace";

export class CheckFailed extends Error {
  constructor(readonly failures: { property: string; reason: string }[]) {
    super(`check failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

export class Engine {
  constructor(
    readonly host: ProviderHost,
    private readonly texts: Record<string, string>,
  ) {}

  private bag(kind: string, inputs: PropertyBag): PropertyBag {
    const text = this.texts[kind];
    if (!text) throw new Error(`no __provider for ${kind}`);
    return { ...inputs, __provider: text };
  }

  async check(kind: string, inputs: PropertyBag, olds: PropertyBag = {}): Promise<PropertyBag> {
    const r = await this.host.check(olds, this.bag(kind, inputs));
    if (r.failures.length > 0) throw new CheckFailed(r.failures);
    return r.inputs;
  }

  /**
   * `pulumi up` for one resource; `state` undefined means it is new. A replaced object's delete
   * runs before this returns, unless `pendingDeletes` is given: then it is queued there for the
   * end of the deployment, as the engine does (see Stack.up).
   */
  async up(
    kind: string,
    inputs: PropertyBag,
    state?: State,
    pendingDeletes?: State[],
  ): Promise<{ state: State; step: Step; replaces: string[] }> {
    const news = await this.check(kind, inputs, state?.inputs);
    if (!state) {
      const { id, properties } = await this.host.create(news);
      return { state: { id, inputs: news, outputs: properties }, step: "create", replaces: [] };
    }
    const diff = await this.host.diff(state.id, state.outputs, news);
    if (diff.changes === "none") return { state: { ...state, inputs: news }, step: "same", replaces: [] };
    if (diff.replaces.length > 0) {
      // create-before-delete, unless the provider asks for the old object to go first
      if (diff.deleteBeforeReplace) await this.host.delete(state.id, state.outputs);
      const { id, properties } = await this.host.create(news);
      if (!diff.deleteBeforeReplace) {
        if (pendingDeletes) pendingDeletes.push(state);
        else await this.host.delete(state.id, state.outputs);
      }
      return { state: { id, inputs: news, outputs: properties }, step: "replace", replaces: diff.replaces };
    }
    const { properties } = await this.host.update(state.id, state.outputs, news);
    return { state: { id: state.id, inputs: news, outputs: properties }, step: "update", replaces: [] };
  }

  /** `pulumi refresh`: undefined when the object is gone. */
  async refresh(state: State): Promise<State | undefined> {
    const r = await this.host.read(state.id, state.outputs);
    if (!r.id) return undefined;
    return { id: r.id, inputs: r.inputs ?? state.inputs, outputs: r.properties };
  }

  async destroy(state: State): Promise<void> {
    await this.host.delete(state.id, state.outputs);
  }
}

/** One resource of a program: its kind (`pmg:PmgRelayDomain`) and inputs. */
export interface Declared {
  readonly kind: string;
  readonly inputs: PropertyBag;
}

export type StackStep = Step | "delete";

/** Stack config as the engine hands it to the provider: `homelab-mail:key` to string. */
export type StackConfig = Record<string, string>;

/**
 * A stack driven through whole engine operations. Every operation starts a fresh provider host,
 * as each CLI run loads the provider plugin anew, and configures it the way the engine would:
 *
 * - `up` configures the default provider with the current stack config. When the config differs
 *   from the provider's stored inputs, the provider resource is updated: Registry.Update
 *   configures it with the new inputs (pulumi/pulumi pkg/resource/deploy/providers/registry.go,
 *   Update: `provider.Configure(... Inputs: filteredProperties)` from req.NewInputs); otherwise
 *   it is a same step, configured with the same inputs (Registry.Same). The new inputs are stored.
 * - `refresh` and `destroy` without `runProgram` never evaluate the program: the provider is
 *   loaded from the previous snapshot and configured with its stored inputs, the config of the
 *   last `up` (pkg/resource/deploy/deployment.go, EnsureProvider -> Registry.Same:
 *   `Inputs: FilterProviderConfig(res.Inputs)`; pulumi/pulumi#7370, #13860). With `runProgram`
 *   (`--run-program`, PULUMI_RUN_PROGRAM; pulumi/pulumi#18764) the current config is used.
 * - A replacement is create-before-delete unless the provider asks otherwise, and the delete of
 *   the old object is generated after all creates and updates finish (pkg/resource/deploy/
 *   step_generator.go, generateSteps: "the delete step is generated 'later' on, after all
 *   creates/updates finish"; GenerateDeletes). Resources no longer declared are deleted then too,
 *   in reverse order of creation.
 */
export class Stack {
  /** State by resource name, in creation order. */
  readonly resources = new Map<string, { kind: string; state: State }>();
  /** The default provider's stored inputs: the stack config of the last `up`. */
  lastUpConfig?: StackConfig;
  /** What happened to the provider in the last `up`. */
  providerStep?: "create" | "same" | "update";

  constructor(
    private readonly texts: Record<string, string>,
    private readonly secretKeys: string[] = [],
  ) {}

  private async withHost<T>(config: StackConfig, run: (e: Engine) => Promise<T>): Promise<T> {
    const host = await startProviderHost();
    try {
      await host.configure(config, { secretKeys: this.secretKeys.filter((k) => k in config) });
      return await run(new Engine(host, this.texts));
    } finally {
      await host.close();
    }
  }

  /** `pulumi up` of a whole program: steps by resource name. A failure leaves state as the engine would: partial. */
  async up(config: StackConfig, program: Record<string, Declared>): Promise<Record<string, StackStep>> {
    this.providerStep = !this.lastUpConfig
      ? "create"
      : JSON.stringify(this.lastUpConfig) === JSON.stringify(config)
        ? "same"
        : "update";
    this.lastUpConfig = config;
    return this.withHost(config, async (engine) => {
      const steps: Record<string, StackStep> = {};
      const pending: { name: string; kind: string; state: State }[] = [];
      for (const [name, d] of Object.entries(program)) {
        const old = this.resources.get(name);
        const olds: State[] = [];
        const r = await engine.up(d.kind, d.inputs, old?.kind === d.kind ? old.state : undefined, olds);
        steps[name] = r.step;
        for (const o of olds) pending.push({ name, kind: d.kind, state: o });
        this.resources.set(name, { kind: d.kind, state: r.state });
      }
      const removed = [...this.resources.keys()].filter((n) => !(n in program)).reverse();
      for (const name of removed) {
        const { kind, state } = this.resources.get(name)!;
        await engine.host.delete(state.id, { ...state.outputs, __provider: this.texts[kind] });
        this.resources.delete(name);
        steps[name] = "delete";
      }
      for (const p of pending) await engine.host.delete(p.state.id, p.state.outputs);
      return steps;
    });
  }

  /** `pulumi refresh`: names of resources found gone (dropped from state). */
  async refresh(opts: { runProgram?: StackConfig } = {}): Promise<string[]> {
    return this.withHost(this.operationConfig(opts), async (engine) => {
      const gone: string[] = [];
      for (const [name, r] of this.resources) {
        const next = await engine.refresh(r.state);
        if (next) r.state = next;
        else {
          this.resources.delete(name);
          gone.push(name);
        }
      }
      return gone;
    });
  }

  /** `pulumi destroy`: deletes in reverse order of creation. */
  async destroy(opts: { runProgram?: StackConfig } = {}): Promise<void> {
    await this.withHost(this.operationConfig(opts), async (engine) => {
      for (const name of [...this.resources.keys()].reverse()) {
        await engine.destroy(this.resources.get(name)!.state);
        this.resources.delete(name);
      }
    });
  }

  private operationConfig(opts: { runProgram?: StackConfig }): StackConfig {
    if (opts.runProgram) return opts.runProgram;
    if (!this.lastUpConfig) throw new Error("Stack: no `up` yet, so no stored provider config");
    return this.lastUpConfig;
  }
}
