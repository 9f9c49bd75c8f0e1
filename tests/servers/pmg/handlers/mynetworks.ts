// /config/mynetworks (pmg-api API2/MyNetworks.pm). Keys are the CIDR strings exactly as posted.
import { die } from "../errors";
import type { NetworkRead } from "../files";
import { param, type HandlerContext, type Route } from "../router";

function view(ctx: HandlerContext, entry: NetworkRead) {
  // PMG <= 8 also returned the parser's network_address and prefix_size (dropped in 9.0)
  return ctx.version <= 8 ? entry : { cidr: entry.cidr, comment: entry.comment };
}

function list(ctx: HandlerContext): unknown {
  return [...ctx.store.mynetworks().values()].map((e) => view(ctx, e));
}

function create(ctx: HandlerContext): Promise<null> {
  const cidr = param(ctx, "cidr") as string;
  return ctx.lock.run("add trusted network failed", () => {
    const map = ctx.store.mynetworks();
    if (map.has(cidr)) die(`trusted network '${cidr}' already exists\n`);
    map.set(cidr, { cidr, comment: param(ctx, "comment") ?? "", network_address: "", prefix_size: "" });
    ctx.store.saveMynetworks(map);
    return null;
  });
}

function read(ctx: HandlerContext): unknown {
  const cidr = param(ctx, "cidr") as string;
  const entry = ctx.store.mynetworks().get(cidr);
  if (!entry) die(`trusted network '${cidr}' does not exist\n`);
  return view(ctx, entry);
}

function write(ctx: HandlerContext): Promise<null> {
  const cidr = param(ctx, "cidr") as string;
  return ctx.lock.run("update trusted network failed", () => {
    const map = ctx.store.mynetworks();
    const entry = map.get(cidr);
    if (!entry) die(`trusted network '${cidr}' does not exist\n`);
    entry.comment = param(ctx, "comment") as string;
    ctx.store.saveMynetworks(map);
    return null;
  });
}

function remove(ctx: HandlerContext): Promise<null> {
  const cidr = param(ctx, "cidr") as string;
  return ctx.lock.run("delete trusted network failed", () => {
    const map = ctx.store.mynetworks();
    if (!map.has(cidr)) die(`trusted network '${cidr}' does not exist\n`);
    map.delete(cidr);
    ctx.store.saveMynetworks(map);
    return null;
  });
}

export const mynetworksRoutes: Route[] = [
  { path: "/config/mynetworks", methods: { GET: list, POST: create } },
  { path: "/config/mynetworks/{cidr}", methods: { GET: read, PUT: write, DELETE: remove } },
];
