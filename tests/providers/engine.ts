/**
 * The steps the Pulumi engine takes for one dynamic resource, over the real provider host:
 * up = Check, then Create (new) or Diff and then Update, Replace (create-before-delete) or nothing;
 * refresh = Read; destroy = Delete. State is what the engine keeps: id, inputs and outputs.
 */
import type { PropertyBag, ProviderHost } from "../harness/providerHost";

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

  /** `pulumi up` for one resource; `state` undefined means it is new. */
  async up(
    kind: string,
    inputs: PropertyBag,
    state?: State,
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
      if (!diff.deleteBeforeReplace) await this.host.delete(state.id, state.outputs);
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
