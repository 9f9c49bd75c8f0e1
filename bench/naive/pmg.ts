/**
 * PMG done by hand: every call logs in first (POST /access/ticket) and then makes the one request,
 * both on a connection of its own, the way a script of `curl` commands does it.
 */
import type { Item, Phase } from "../plan";
import type { ServerInfo } from "../servers";
import { fail, form, oneShot } from "./oneShot";

type Request = [
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  params?: Record<string, string | number>,
];

export class NaivePmg {
  private readonly base: string;

  constructor(private readonly info: ServerInfo["pmg"]) {
    this.base = `${info.endpoint}/api2/json`;
  }

  async call(phase: Phase, item: Item): Promise<void> {
    const [method, path, params] = request(phase, item);
    await oneShot(this.info.certPem, async (send) => {
      const login = await send(
        "POST",
        `${this.base}/access/ticket`,
        { "content-type": "application/x-www-form-urlencoded" },
        form({ username: this.info.username, password: this.info.password }),
      );
      if (login.status !== 200) fail("POST /access/ticket", login);
      const { ticket, CSRFPreventionToken } = login.json.data as Record<string, string>;
      const headers: Record<string, string> = { cookie: `PMGAuthCookie=${encodeURIComponent(ticket)}` };
      if (method !== "GET") headers.csrfpreventiontoken = CSRFPreventionToken;
      if (params) headers["content-type"] = "application/x-www-form-urlencoded";
      const a = await send(method, this.base + path, headers, params && form(params));
      if (a.status !== 200) fail(`${method} ${path}`, a);
    });
  }
}

/** The one request that deploys, reads or removes an item, as the PMG API documentation gives it. */
function request(phase: Phase, item: Item): Request {
  const i = item.inputs as Record<string, string | number>;
  const entry = (collection: string, key: string, params: Record<string, string | number>): Request =>
    phase === "deploy"
      ? ["POST", collection, params]
      : [phase === "refresh" ? "GET" : "DELETE", `${collection}/${key}`];
  switch (item.kind) {
    case "pmg:PmgTrustedNetwork":
      return entry("/config/mynetworks", String(i.cidr), { cidr: i.cidr, comment: i.comment });
    case "pmg:PmgRelayDomain":
      return entry("/config/domains", String(i.domain), { domain: i.domain, comment: i.comment });
    case "pmg:PmgDkimDomain":
      return entry("/config/dkim/domains", String(i.domain), { domain: i.domain, comment: i.comment });
    case "pmg:PmgTransport":
      return entry("/config/transport", String(i.domain), {
        domain: i.domain,
        host: i.host,
        port: i.port,
        protocol: i.protocol,
        use_mx: 0,
        comment: i.comment,
      });
    case "pmg:PmgSmarthost":
      return section(
        "/config/mail",
        phase,
        { smarthost: i.host, smarthostport: i.port },
        "smarthost,smarthostport",
      );
    case "pmg:PmgDkimSigning":
      return section("/config/admin", phase, { dkim_sign: 1 }, "dkim_sign");
    case "pmg:PmgDkimSelector":
      if (phase === "deploy")
        return ["POST", "/config/dkim/selector", { selector: i.selector, keysize: i.keySize }];
      return phase === "refresh"
        ? ["GET", "/config/dkim/selector"]
        : ["PUT", "/config/admin", { delete: "dkim_selector" }];
    default:
      throw new Error(`bench: no by-hand request for ${item.kind}`);
  }
}

function section(path: string, phase: Phase, set: Record<string, string | number>, keys: string): Request {
  if (phase === "deploy") return ["PUT", path, set];
  return phase === "refresh" ? ["GET", path] : ["PUT", path, { delete: keys }];
}
