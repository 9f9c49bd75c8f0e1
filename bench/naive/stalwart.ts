/**
 * Stalwart done by hand: one request per object on a connection of its own, credentials sent with
 * each (Stalwart has no session: every request is a login). On REST (≤0.15) principals by name; on
 * JMAP (0.16+) one `x:*\/set` or `x:*\/get` per object, with the ids its creates answered.
 */
import { generatePassword, hashPassword } from "../../providers/stalwart/passwords";
import { DOMAIN, type Api, type Item, type Phase } from "../plan";
import type { ServerInfo } from "../servers";
import { fail, oneShot } from "./oneShot";

const USING = ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"];

export class NaiveStalwart {
  private readonly url: string;
  private readonly authorization: string;
  /** JMAP ids by object name, from the creates' answers. */
  private readonly ids = new Map<string, string>();
  // One password for every account, hashed once: what a script would do, and no CPU in the timings.
  private readonly password = generatePassword();
  private readonly hash = hashPassword(this.password);

  constructor(
    private readonly api: Api,
    info: ServerInfo["stalwart"],
  ) {
    this.url = info.urls[api];
    this.authorization = `Basic ${Buffer.from(`${info.username}:${info.password}`).toString("base64")}`;
  }

  call(phase: Phase, item: Item): Promise<void> {
    return this.api === "rest" ? this.rest(phase, item) : this.jmap(phase, item);
  }

  private async rest(phase: Phase, item: Item): Promise<void> {
    const i = item.inputs;
    const path = phase === "deploy" ? "/api/principal" : `/api/principal/${encodeURIComponent(item.name)}`;
    const method = { deploy: "POST", refresh: "GET", destroy: "DELETE" }[phase];
    const body =
      phase !== "deploy"
        ? undefined
        : i.type === "domain"
          ? { type: "domain", name: i.name }
          : { type: "individual", name: i.name, emails: i.emails, roles: ["user"], secrets: [this.hash] };
    await oneShot(undefined, async (send) => {
      const headers: Record<string, string> = { authorization: this.authorization };
      if (body) headers["content-type"] = "application/json";
      const a = await send(method, this.url + path, headers, body && JSON.stringify(body));
      // Management errors arrive as 200 with an `error` body.
      if (a.status !== 200 || !a.json || "error" in a.json || !("data" in a.json))
        fail(`${method} ${path}`, a);
    });
  }

  private async jmap(phase: Phase, item: Item): Promise<void> {
    const type = item.inputs.type === "domain" ? "Domain" : "Account";
    const id = this.ids.get(item.name);
    const args =
      phase === "deploy"
        ? { create: { n: this.createBody(item) } }
        : phase === "refresh"
          ? { ids: [id], properties: ["id", "name"] }
          : { destroy: [id] };
    const method = `x:${type}/${phase === "refresh" ? "get" : "set"}`;
    const r = await oneShot(undefined, async (send) => {
      const a = await send(
        "POST",
        `${this.url}/jmap`,
        { authorization: this.authorization, "content-type": "application/json" },
        JSON.stringify({ using: USING, methodCalls: [[method, args, "c"]] }),
      );
      const [name, result] = a.json?.methodResponses?.[0] ?? [];
      if (a.status !== 200 || name !== method) fail(`${method} ${item.name}`, a);
      return result;
    });
    if (phase === "deploy") {
      if (!r.created?.n?.id) fail(`${method} create ${item.name}`, { status: 200, json: r });
      this.ids.set(item.name, String(r.created.n.id));
    } else if (phase === "refresh" ? r.list?.length !== 1 : !r.destroyed?.includes(id)) {
      fail(`${method} ${item.name}`, { status: 200, json: r });
    }
  }

  private createBody(item: Item): Record<string, unknown> {
    if (item.inputs.type === "domain")
      return { name: item.name, description: null, dkimManagement: { "@type": "Manual" } };
    return {
      "@type": "User",
      name: item.name,
      domainId: this.ids.get(DOMAIN),
      aliases: {},
      description: null,
      credentials: { "0": { "@type": "Password", secret: this.password } },
      roles: { "@type": "User" },
      permissions: { "@type": "Inherit" },
      quotas: {},
      memberGroupIds: {},
    };
  }
}
