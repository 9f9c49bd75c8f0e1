/**
 * The Cloudflare part of the mock runtime: each Cloudflare resource the program registers is
 * created, read, updated and deleted against the stand-in (tests/servers/cloudflare), with the calls
 * the real provider makes, so the composed program meets the API's refusals. One engine is one stack:
 * its state lasts across runs, and a run that no longer registers a resource deletes it.
 *
 * The provider's calls (terraform-provider-cloudflare v5.22.0, internal/services/<resource>/resource.go):
 *  - email_routing_address: New = POST /accounts/{a}/email/routing/addresses {email}; Get; Delete;
 *    `account_id` and `email` force replacement (schema RequiresReplace).
 *  - email_routing_rule: New = POST /zones/{z}/email/routing/rules {actions[{type,value}],matchers,enabled,name,priority};
 *    Update = PUT .../rules/{id}; Delete. The bridge renames `value` to `values` (bridge-metadata.json).
 *  - email_routing_dns: New = POST /zones/{z}/email/routing/dns {name?}; Update = PATCH (unlock MX);
 *    Get = GET .../email/routing/dns; Delete = DELETE (disable). Import id = zone id.
 * `import`: the engine reads the object and fails when the declared inputs differ
 * ("inputs to import do not match the existing resource", pulumi/pulumi PR #2893); once the object
 * is in state with that id the option changes nothing (docs/assumptions.md).
 * The project's own CloudflareTxtRecord and CloudflareDestinationAddress run their real provider code
 * in this process.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs, MockResourceResult } from "@pulumi/pulumi/runtime/mocks";
import { CloudflareClient } from "../../providers/cloudflare/client";
import { closeCloudflareClient, parseCloudflareSettings } from "../../providers/cloudflare/settings";
import * as destinationAddress from "../../providers/cloudflare/destinationAddress";
import * as txtRecord from "../../providers/cloudflare/txtRecord";
import { configure } from "../../providers/context";
import {
  startCloudflareServer,
  type CloudflareServerOptions,
  type CloudflareTestServer,
} from "../servers/cloudflare/server";

type Dynamic = pulumi.dynamic.ResourceProvider<Record<string, unknown>, Record<string, unknown>>;
/** The project's own Cloudflare resources, by the type the engine sees. */
const DYNAMIC: Record<string, Dynamic> = Object.fromEntries(
  [txtRecord, destinationAddress].map((m) => [
    `pulumi-nodejs:dynamic/${m.KIND}`,
    m.provider as unknown as Dynamic,
  ]),
);
const ADDRESS = "cloudflare:index/emailRoutingAddress:EmailRoutingAddress";
const RULE = "cloudflare:index/emailRoutingRule:EmailRoutingRule";
const ROUTING = "cloudflare:index/emailRoutingDns:EmailRoutingDns";

interface Entry {
  type: string;
  id: string;
  /** The `import` id it was imported with, if any. */
  importId?: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}
type Api = Record<string, unknown>;

const addressState = (accountId: string, a: Api) => ({
  accountId,
  email: a.email,
  created: a.created,
  modified: a.modified,
  tag: a.tag,
  verified: a.verified ?? undefined,
});
const ruleInputs = (zoneId: string, r: Api) => ({
  zoneId,
  name: r.name,
  enabled: r.enabled,
  priority: r.priority,
  matchers: r.matchers,
  actions: (r.actions as { type: string; value?: string[] }[]).map((a) => ({
    type: a.type,
    values: a.value,
  })),
});
const ruleBody = (i: Record<string, unknown>) => ({
  name: i.name,
  enabled: i.enabled,
  priority: i.priority,
  matchers: i.matchers,
  actions: (i.actions as { type: string; values?: string[] }[]).map((a) => ({
    type: a.type,
    value: a.values,
  })),
});
/** Deep equality whatever the key order (the mock runtime's serialization does not keep it). */
const canonical = (x: unknown): unknown =>
  Array.isArray(x)
    ? x.map(canonical)
    : x && typeof x === "object"
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
            .map((k) => [k, canonical((x as Record<string, unknown>)[k])]),
        )
      : x;
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

export class CloudflareMockEngine {
  readonly api: CloudflareClient;
  /** Every refusal a run met, as the engine would print it: `<name>: <message>`. */
  errors: string[] = [];
  /** What the run did or (preview) would do: `<op> <resource name>`, op create|import|update|replace|delete|same. */
  steps: string[] = [];
  private current = "";
  private inflight = 0;
  private lastActivity = 0;
  private prev = new Map<string, Entry>();
  private seen = new Map<string, Entry>();
  private dryRun = false;

  constructor(
    readonly server: CloudflareTestServer,
    private readonly adoptExisting = false,
  ) {
    this.api = new CloudflareClient({
      baseUrl: server.url,
      apiToken: server.apiToken,
      tlsFingerprint: server.fingerprint,
    });
  }

  static async start(
    opts: CloudflareServerOptions = {},
    adoptExisting = false,
  ): Promise<CloudflareMockEngine> {
    return new CloudflareMockEngine(await startCloudflareServer(opts), adoptExisting);
  }

  handles(type: string): boolean {
    return type.startsWith("cloudflare:") || type in DYNAMIC;
  }

  /** A `pulumi preview` (nothing written) or `pulumi up`. */
  async beginRun(dryRun: boolean): Promise<void> {
    this.dryRun = dryRun;
    this.seen = new Map();
    this.errors = [];
    this.steps = [];
    const config: Record<string, string> = {
      "cloudflare:apiToken": this.server.apiToken,
      "cloudflare:baseUrl": this.server.url,
      "homelab-mail:cloudflareTlsFingerprint": this.server.fingerprint,
      "homelab-mail:adoptExisting": String(this.adoptExisting),
    };
    await configure({ get: (k) => config[k] }, { cloudflare: parseCloudflareSettings });
  }

  /** The end of the run: what was not registered again is deleted, newest first. */
  async endRun(): Promise<void> {
    await this.settled();
    if (this.dryRun) return;
    const gone = [...this.prev.entries()].filter(([name]) => !this.seen.has(name)).reverse();
    for (const [name, e] of gone) {
      this.steps.push(`delete ${name}`);
      await this.attempt(name, () => this.remove(e));
    }
    this.prev = this.seen;
  }

  async newResource(args: MockResourceArgs): Promise<MockResourceResult> {
    this.inflight++;
    this.lastActivity = Date.now();
    try {
      const entry = await this.register(args);
      this.seen.set(args.name, entry);
      return { id: entry.id, state: entry.outputs };
    } catch (e) {
      this.errors.push(`${args.name}: ${(e as Error).message}`);
      return { id: undefined, state: args.inputs };
    } finally {
      this.inflight--;
      this.lastActivity = Date.now();
    }
  }

  /** Resolves once no registration is in flight and none started for `quietMs`: the program is done. */
  async settled(quietMs = 1000): Promise<void> {
    while (this.inflight > 0 || Date.now() - this.lastActivity < quietMs)
      await new Promise((r) => setTimeout(r, 50));
  }

  async call(args: MockCallArgs): Promise<Record<string, unknown>> {
    const i = args.inputs as Record<string, string>;
    switch (args.token) {
      case "cloudflare:index/getEmailRoutingAddresses:getEmailRoutingAddresses": {
        const list = await this.api.list<Api>(`/accounts/${i.accountId}/email/routing/addresses`);
        return {
          accountId: i.accountId,
          results: list.map((a) => ({ id: a.id, ...addressState(i.accountId, a) })),
        };
      }
      case "cloudflare:index/getEmailRoutingRules:getEmailRoutingRules": {
        const list = await this.api.list<Api>(`/zones/${i.zoneId}/email/routing/rules`);
        return {
          zoneId: i.zoneId,
          results: list.map((r) => ({ id: r.id, tag: r.tag, ...ruleInputs(i.zoneId, r) })),
        };
      }
      case "cloudflare:index/getEmailRoutingSettings:getEmailRoutingSettings": {
        const s = await this.api.get<Api>(`/zones/${i.zoneId}/email/routing`);
        return { ...s, zoneId: i.zoneId, skipWizard: s.skip_wizard };
      }
      default:
        throw new Error(`the Cloudflare mock does not model the invoke ${args.token}`);
    }
  }

  private async attempt(name: string, f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.errors.push(`${name}: ${(e as Error).message}`);
    }
  }

  private step(op: string, name = this.current): void {
    this.steps.push(`${op} ${name}`);
  }

  private async register(args: MockResourceArgs): Promise<Entry> {
    const { __provider: _p, ...inputs } = args.inputs as Record<string, unknown>;
    const old = this.prev.get(args.name);
    this.current = args.name;
    if (args.type in DYNAMIC) return this.dynamic(args.type, args.name, inputs, old);
    // pulumi/pulumi step_generator.go: an import when there is no old resource or its import id (or
    // else its id) differs from the goal's; with an old one that is an import-replacement, whose
    // replace step then deletes the old object.
    if (args.id && !(old && (old.importId ?? old.id) === args.id)) {
      this.step(old ? "import-replace" : "import");
      const imported = { ...(await this.importOne(args.type, args.id, inputs)), importId: args.id };
      if (old && !this.dryRun) await this.remove(old);
      return imported;
    }
    if (old && old.type === args.type) {
      const unchanged = same(old.inputs, inputs);
      this.step(unchanged ? "same" : "update");
      if (unchanged || this.dryRun) return old;
      return this.change(args.type, old, inputs);
    }
    this.step("create");
    if (this.dryRun) return { type: args.type, id: "", inputs, outputs: inputs };
    return this.create(args.type, inputs);
  }

  private async create(type: string, i: Record<string, unknown>): Promise<Entry> {
    if (type === ADDRESS) {
      const a = await this.api.post<Api>(`/accounts/${i.accountId}/email/routing/addresses`, {
        email: i.email,
      });
      return {
        type,
        id: String(a.id),
        inputs: i,
        outputs: { ...i, ...addressState(String(i.accountId), a) },
      };
    }
    if (type === RULE) {
      const r = await this.api.post<Api>(`/zones/${i.zoneId}/email/routing/rules`, ruleBody(i));
      return {
        type,
        id: String(r.id),
        inputs: i,
        outputs: { ...i, ...ruleInputs(String(i.zoneId), r), tag: r.tag },
      };
    }
    if (type === ROUTING) {
      const s = await this.api.post<Api>(
        `/zones/${i.zoneId}/email/routing/dns`,
        i.name === undefined ? {} : { name: i.name },
      );
      return {
        type,
        id: String(i.zoneId),
        inputs: i,
        outputs: { ...i, enabled: s.enabled, status: s.status },
      };
    }
    throw new Error(`the Cloudflare mock does not model ${type}`);
  }

  private async change(type: string, old: Entry, i: Record<string, unknown>): Promise<Entry> {
    if (type === RULE && old.inputs.zoneId === i.zoneId) {
      const r = await this.api.put<Api>(`/zones/${i.zoneId}/email/routing/rules/${old.id}`, ruleBody(i));
      return { type, id: old.id, inputs: i, outputs: { ...i, ...ruleInputs(String(i.zoneId), r) } };
    }
    if (type === ROUTING && old.inputs.zoneId === i.zoneId) {
      const s = await this.api.patch<Api>(`/zones/${i.zoneId}/email/routing/dns`, { name: i.name });
      return { type, id: old.id, inputs: i, outputs: { ...i, enabled: s.enabled, status: s.status } };
    }
    // Replacement, create before delete (the engine's default).
    const made = await this.create(type, i);
    await this.remove(old);
    return made;
  }

  private async importOne(type: string, id: string, i: Record<string, unknown>): Promise<Entry> {
    let live: Record<string, unknown>;
    let outputs: Record<string, unknown>;
    if (type === ADDRESS) {
      const [account, addressId] = id.split("/");
      const a = await this.api.get<Api>(`/accounts/${account}/email/routing/addresses/${addressId}`);
      live = { accountId: account, email: a.email };
      outputs = { ...i, ...addressState(account, a) };
      id = addressId;
    } else if (type === RULE) {
      const [zone, ruleId] = id.split("/");
      live = ruleInputs(zone, await this.api.get<Api>(`/zones/${zone}/email/routing/rules/${ruleId}`));
      outputs = { ...live };
      id = ruleId;
    } else if (type === ROUTING) {
      const s = await this.api.get<Api>(`/zones/${id}/email/routing`);
      live = { zoneId: id, ...(i.name === undefined ? {} : { name: s.name }) };
      outputs = { ...i, enabled: s.enabled, status: s.status };
    } else throw new Error(`the Cloudflare mock does not model ${type}`);
    const differs = Object.keys(i).filter((k) => !same(i[k], live[k]));
    if (differs.length > 0)
      throw new Error(`inputs to import do not match the existing resource: [${differs.join(", ")}]`);
    return { type, id, inputs: i, outputs };
  }

  /** The engine's steps for a dynamic resource: check, then create, or diff and update/replace. */
  private async dynamic(
    type: string,
    name: string,
    i: Record<string, unknown>,
    old: Entry | undefined,
  ): Promise<Entry> {
    const p = DYNAMIC[type];
    const checked = await p.check!(old?.inputs ?? {}, i);
    if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const news = checked.inputs ?? i;
    if (!old) {
      this.step("create", name);
      if (this.dryRun) return { type, id: "", inputs: news, outputs: news };
      const made = await p.create!(news);
      return { type, id: made.id, inputs: news, outputs: made.outs! };
    }
    const diff = await p.diff!(old.id, old.outputs, news);
    this.step(diff.changes ? (diff.replaces?.length ? "replace" : "update") : "same", name);
    if (!diff.changes || this.dryRun) return old;
    if (diff.replaces?.length) {
      const made = await p.create!(news);
      await p.delete!(old.id, old.outputs);
      return { type, id: made.id, inputs: news, outputs: made.outs! };
    }
    const updated = await p.update!(old.id, old.outputs, news);
    return { type, id: old.id, inputs: news, outputs: updated.outs! };
  }

  private async remove(e: Entry): Promise<void> {
    const i = e.inputs;
    if (e.type === ADDRESS) await this.api.delete(`/accounts/${i.accountId}/email/routing/addresses/${e.id}`);
    else if (e.type === RULE) await this.api.delete(`/zones/${i.zoneId}/email/routing/rules/${e.id}`);
    else if (e.type === ROUTING) await this.api.delete(`/zones/${i.zoneId}/email/routing/dns`);
    else if (e.type in DYNAMIC) await DYNAMIC[e.type].delete!(e.id, e.outputs);
  }

  /** The Pulumi-provider (not dynamic) resources in the stack's state, by name, oldest first. */
  nativeNames(): string[] {
    return [...this.prev].filter(([, e]) => !(e.type in DYNAMIC)).map(([name]) => name);
  }

  /**
   * `pulumi refresh` of one Pulumi-provider resource: the provider's Get (email_routing_address:
   * GET .../addresses/{id}; email_routing_rule: GET .../rules/{id}; email_routing_dns: GET
   * .../email/routing/dns). Throws where the object is gone (Cloudflare's 404).
   */
  async refreshOne(name: string): Promise<void> {
    const e = this.prev.get(name);
    if (!e) throw new Error(`the Cloudflare mock has no ${name} in state`);
    const i = e.inputs;
    if (e.type === ADDRESS) await this.api.get(`/accounts/${i.accountId}/email/routing/addresses/${e.id}`);
    else if (e.type === RULE) await this.api.get(`/zones/${i.zoneId}/email/routing/rules/${e.id}`);
    else if (e.type === ROUTING) await this.api.get(`/zones/${i.zoneId}/email/routing/dns`);
    else throw new Error(`the Cloudflare mock does not refresh ${e.type}`);
  }

  /** `pulumi destroy` of one resource: the provider's Delete, then out of state. */
  async destroyOne(name: string): Promise<void> {
    const e = this.prev.get(name);
    if (!e) throw new Error(`the Cloudflare mock has no ${name} in state`);
    await this.remove(e);
    this.prev.delete(name);
  }

  async close(): Promise<void> {
    await closeCloudflareClient();
    await this.api.close();
    await this.server.close();
  }
}
