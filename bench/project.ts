/**
 * The project's own client as a deployment runs it: Pulumi's dynamic-provider host (a fresh process
 * per `pulumi up`, `refresh` or `destroy`, as the engine starts one), configured from stack config,
 * driven step by step (tests/providers/engine.ts) at the engine's parallelism.
 */
import { startProviderHost, type ProviderHost } from "../tests/harness/providerHost";
import { Engine, type State } from "../tests/providers/engine";
import type { Phase, Plan } from "./plan";
import { pool } from "./pool";
import type { ServerInfo } from "./servers";

export class ProjectDeployment {
  private constructor(
    private readonly host: ProviderHost,
    private readonly engine: Engine,
  ) {}

  /** A new provider host, configured, with its providers compiled (a check: no request) before any timing. */
  /** Milliseconds from the host announcing its port (when the engine can first call) to its first answer. */
  firstCallMs = 0;

  static async start(texts: Promise<Record<string, string>>, info: ServerInfo): Promise<ProjectDeployment> {
    const serialized = await texts;
    const host = await startProviderHost();
    const t = performance.now();
    try {
      const config = {
        "homelab-mail:pmg": JSON.stringify({
          endpoint: info.pmg.endpoint,
          username: info.pmg.username,
          tlsFingerprint: info.pmg.fingerprint,
        }),
        "homelab-mail:pmgPassword": info.pmg.password,
        "homelab-mail:stalwart": JSON.stringify({
          endpoint: info.stalwart.urls.rest,
          username: info.stalwart.username,
        }),
        "homelab-mail:stalwartPassword": info.stalwart.password,
      };
      await host.configure(config, {
        secretKeys: ["homelab-mail:pmgPassword", "homelab-mail:stalwartPassword"],
      });
      const engine = new Engine(host, serialized);
      await engine.check("pmg:PmgSmarthost", { endpoint: info.pmg.endpoint, host: "smtp.gmail.com" });
      const d = new ProjectDeployment(host, engine);
      d.firstCallMs = Math.round(performance.now() - t);
      return d;
    } catch (e) {
      await host.close();
      throw e;
    }
  }

  get pid(): number {
    return this.host.pid;
  }

  /** One level of a phase: every named resource at once, at most `parallelism` in flight. */
  async run(
    plan: Plan,
    phase: Phase,
    names: string[],
    endpoint: string,
    states: Map<string, State>,
    parallelism: number,
  ): Promise<void> {
    const items = new Map(plan.items.map((i) => [i.name, i]));
    await pool(names, parallelism, async (name) => {
      const item = items.get(name)!;
      const state = states.get(name);
      if (phase === "deploy") {
        states.set(name, (await this.engine.up(item.kind, { endpoint, ...item.inputs }, state)).state);
        return;
      }
      if (!state) throw new Error(`bench: ${phase} of ${name} without state; the deploy did not finish`);
      if (phase === "destroy") {
        await this.engine.destroy(state);
        states.delete(name);
        return;
      }
      const read = await this.engine.refresh(state);
      if (!read)
        throw new Error(`bench: refresh found ${name} gone from the server right after deploying it`);
      states.set(name, read);
    });
  }

  close(): Promise<void> {
    return this.host.close();
  }
}
