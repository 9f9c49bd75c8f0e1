// /config/fetchmail (pmg-api API2/Fetchmail.pm over PMG/Fetchmail.pm). Entries read back from the
// regenerated fetchmailrc: clear-text pass, port/interval as strings, dropdelivered/sslproto extras.
import { die } from "../errors";
import type { FetchmailEntry } from "../fetchmailrc";
import { param, type HandlerContext, type Route } from "../router";

function sorted(map: Map<string, FetchmailEntry>): FetchmailEntry[] {
  return [...map.keys()]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => map.get(k) as FetchmailEntry);
}

function list(ctx: HandlerContext): unknown {
  return sorted(ctx.store.fetchmail());
}

function read(ctx: HandlerContext): unknown {
  const id = param(ctx, "id") as string;
  const data = ctx.store.fetchmail().get(id);
  if (!data) die(`Fetchmail entry '${id}' does not exist\n`);
  return data;
}

function create(ctx: HandlerContext): Promise<string> {
  return ctx.lock.run("update fechtmail configuration failed", () => {
    const map = ctx.store.fetchmail();
    let id: string | undefined;
    for (let i = 0; i < 9999; i++) {
      const tmp = `proxmox${String(i).padStart(4, "0")}`;
      if (!map.has(tmp)) {
        id = tmp;
        break;
      }
    }
    if (id === undefined) die("unable to find free Fetchmail entry ID\n");
    const entry: FetchmailEntry = { id };
    for (const [k, v] of ctx.params) entry[k] = v ?? "";
    map.set(id, entry);
    ctx.store.saveFetchmail(map);
    return id;
  });
}

function write(ctx: HandlerContext): Promise<null> {
  const id = param(ctx, "id") as string;
  ctx.params.delete("id");
  return ctx.lock.run("update fechtmail configuration failed", () => {
    const map = ctx.store.fetchmail();
    const data = map.get(id);
    if (!data) die(`Fetchmail entry '${id}' does not exist\n`);
    for (const [k, v] of ctx.params) data[k] = v ?? "";
    ctx.store.saveFetchmail(map);
    return null;
  });
}

function remove(ctx: HandlerContext): Promise<null> {
  const id = param(ctx, "id") as string;
  return ctx.lock.run("delete fechtmail configuration failed", () => {
    const map = ctx.store.fetchmail();
    if (!map.has(id)) die(`Fetchmail entry '${id}' does not exist\n`);
    map.delete(id);
    ctx.store.saveFetchmail(map);
    return null;
  });
}

export const fetchmailRoutes: Route[] = [
  { path: "/config/fetchmail", methods: { GET: list, POST: create } },
  { path: "/config/fetchmail/{id}", methods: { GET: read, PUT: write, DELETE: remove } },
];
