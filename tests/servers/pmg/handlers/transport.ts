// /config/transport (pmg-api API2/Transport.pm). What GET returns comes from re-reading the file:
// use_mx is 0 for IP hosts and lmtp, port is a string.
import { die } from "../errors";
import type { TransportEntry } from "../files";
import { param, type HandlerContext, type Route } from "../router";

function list(ctx: HandlerContext): unknown {
  return [...ctx.store.transport().values()];
}

function create(ctx: HandlerContext): Promise<null> {
  const domain = param(ctx, "domain") as string;
  return ctx.lock.run("add transport map entry failed", () => {
    const map: Map<string, TransportEntry> = ctx.store.transport();
    if (map.has(domain)) die(`Transport map entry '${domain}' already exists\n`);
    map.set(domain, {
      domain,
      host: param(ctx, "host") as string,
      protocol: param(ctx, "protocol") ?? "smtp",
      port: param(ctx, "port") ?? 25,
      use_mx: param(ctx, "use_mx") ?? 1,
      comment: param(ctx, "comment") ?? "",
    });
    ctx.store.saveTransport(map);
    return null;
  });
}

function read(ctx: HandlerContext): unknown {
  const domain = param(ctx, "domain") as string;
  const entry = ctx.store.transport().get(domain);
  if (!entry) die(`Transport map entry '${domain}' does not exist\n`);
  return entry;
}

function write(ctx: HandlerContext): Promise<null> {
  return ctx.lock.run("update transport map entry failed", () => {
    const map: Map<string, TransportEntry> = ctx.store.transport();
    const domain = param(ctx, "domain") as string;
    ctx.params.delete("domain"); // extract_param
    const data = map.get(domain);
    // the real text interpolates $param->{domain} after extract_param removed it: always ''
    if (!data) die(`Transport map entry '' does not exist\n`);
    if (ctx.params.size === 0) die("no options specified\n");
    const d = data as unknown as Record<string, string | number | null | undefined>;
    for (const prop of ["host", "protocol", "port", "use_mx", "comment"]) {
      const v = param(ctx, prop);
      if (v !== undefined) d[prop] = v;
    }
    ctx.store.saveTransport(map);
    return null;
  });
}

function remove(ctx: HandlerContext): Promise<null> {
  const domain = param(ctx, "domain") as string;
  return ctx.lock.run("delete transport map entry failed", () => {
    const map = ctx.store.transport();
    if (!map.has(domain)) die(`Transport map entry '${domain}' does not exist\n`);
    map.delete(domain);
    ctx.store.saveTransport(map);
    return null;
  });
}

export const transportRoutes: Route[] = [
  { path: "/config/transport", methods: { GET: list, POST: create } },
  { path: "/config/transport/{domain}", methods: { GET: read, PUT: write, DELETE: remove } },
];
