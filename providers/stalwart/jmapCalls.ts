/**
 * The JMAP envelope of Stalwart 0.16+: `POST /jmap` with `using` core + `urn:stalwart:jmap`, method
 * calls answered in order, a method-level `["error", {type}]` in place of a response, and per-object
 * SetErrors in `notCreated`/`notUpdated`/`notDestroyed` (jmap-0.16.md §2). No `accountId` is sent:
 * `x:*` objects are global and the server substitutes the caller's own account.
 */
import { grantHint, StalwartApiError } from "./errors";
import { JmapBatcher, STALWART_LIMITS, type JmapLimits, type Response } from "./jmapBatch";
import { forbiddenHint, type StalwartTransport } from "./transport";

export type Call = [name: string, args: Record<string, unknown>, id: string];
export type Args = Record<string, unknown>;

export const USING = ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"];

export class JmapCalls {
  /** Every call goes through the batcher: concurrent resources share requests (jmapBatch.ts). */
  readonly batcher: JmapBatcher;

  constructor(
    readonly t: StalwartTransport,
    limits: JmapLimits = STALWART_LIMITS,
  ) {
    this.batcher = new JmapBatcher(
      (calls, secrets) => this.post(calls, secrets),
      () => limits,
    );
  }

  /** Sends the calls (with whatever else is waiting); answers by call id. Only get/query requests are retried. */
  async send(calls: Call[], secrets: string[] = []): Promise<Record<string, Args>> {
    const responses = await this.batcher.submit(calls, secrets);
    const out: Record<string, Args> = {};
    for (const [name, args, id] of responses) {
      const call = calls.find((c) => c[2] === id);
      if (name === "error") {
        const { type, description, ...rest } = args;
        throw new StalwartApiError(
          {
            method: "POST",
            path: `/jmap ${call?.[0] ?? "?"}`,
            status: 200,
            kind: String(type),
            details: rest,
            message: `${String(type)}${description ? `: ${this.t.redact(String(description), secrets)}` : ""}`,
          },
          // A method-level forbidden: the login lacks the object's permission (sysAccountGet, ...).
          type === "forbidden" ? forbiddenHint("jmap") : undefined,
        );
      }
      out[id] = args;
    }
    return out;
  }

  /** One `POST /jmap` of already batched calls. */
  private async post(calls: Call[], secrets: string[]): Promise<Response[]> {
    const idempotent = calls.every(([name]) => /\/(get|query)$/.test(name));
    const a = await this.t.request("POST", "/jmap", {
      body: { using: USING, methodCalls: calls },
      idempotent,
      secrets,
    });
    const responses = (a.json as { methodResponses?: unknown } | undefined)?.methodResponses;
    if (a.status !== 200 || !Array.isArray(responses)) throw this.t.problem("POST", "/jmap", a, secrets);
    return responses as Response[];
  }

  /** The one result of a /set call for `key`; throws the SetError (with its type) if it failed. */
  setResult(
    method: string,
    args: Args,
    op: "created" | "updated" | "destroyed",
    key: string,
    secrets: string[] = [],
  ): unknown {
    const failed = { created: "notCreated", updated: "notUpdated", destroyed: "notDestroyed" }[op];
    const err = (args[failed] as Record<string, Args> | undefined)?.[key];
    if (err) {
      const { type, description, ...rest } = err;
      const what = description
        ? `${String(type)}: ${this.t.redact(String(description), secrets)}`
        : String(type);
      const props = Array.isArray(rest.properties) ? ` (${rest.properties.join(", ")})` : "";
      const linked = Array.isArray(rest.linkedObjects)
        ? `; still linked: ${JSON.stringify(rest.linkedObjects)}`
        : "";
      throw new StalwartApiError(
        {
          method: "POST",
          path: `/jmap ${method}`,
          status: 200,
          kind: String(type),
          details: rest,
          message: what + props + linked,
        },
        grantHint(String(type), String(description ?? "")),
      );
    }
    const ok = args[op];
    if (op === "destroyed") {
      if (Array.isArray(ok) && ok.includes(key)) return key;
    } else if (ok && typeof ok === "object" && key in ok) {
      return (ok as Args)[key];
    }
    throw new StalwartApiError({
      method: "POST",
      path: `/jmap ${method}`,
      status: 200,
      kind: "unexpectedBody",
      message: `${op} does not mention ${key}`,
    });
  }

  /** `x:<T>/get` of some ids: found objects by id (unknown ids are simply absent). */
  async get(type: string, ids: string[], properties: string[]): Promise<Map<string, Args>> {
    if (ids.length === 0) return new Map();
    const r = await this.send([[`x:${type}/get`, { ids, properties }, "g"]]);
    return new Map(((r.g.list as Args[] | undefined) ?? []).map((o) => [String(o.id), o]));
  }

  /** `x:<T>/query` with an AND filter: the matching ids. */
  async query(type: string, filter: Args): Promise<string[]> {
    const r = await this.send([[`x:${type}/query`, { filter }, "q"]]);
    return ((r.q.ids as unknown[] | undefined) ?? []).map(String);
  }

  /** Domain ids by name, in one request; a missing domain is a notFound naming it (as ≤0.15 says). */
  async domainIds(names: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return new Map();
    const r = await this.send(
      unique.map((name, i): Call => ["x:Domain/query", { filter: { name } }, `d${i}`]),
    );
    const out = new Map<string, string>();
    unique.forEach((name, i) => {
      const id = (r[`d${i}`].ids as unknown[] | undefined)?.[0];
      if (id === undefined) {
        throw new StalwartApiError(
          {
            method: "POST",
            path: "/jmap x:Domain/query",
            status: 200,
            kind: "notFound",
            details: { item: name },
          },
          `declare the domain ${name} (homelab-mail:domains) so it exists before addresses in it`,
        );
      }
      out.set(name, String(id));
    });
    return out;
  }
}
