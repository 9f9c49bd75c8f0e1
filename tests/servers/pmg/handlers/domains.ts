// /config/domains (relay domains) and /config/dkim/domains (DKIM-sign domains): pmg-api
// API2/Domains.pm index/create/read/write/delete_method, instantiated with type 'relay' resp.
// 'DKIM-sign'. Keys are case-sensitive strings, comments read back "" when blank.
import { die } from "../errors";
import { param, type HandlerContext, type Route } from "../router";

function domainRoutes(base: string, dkim: boolean, type: string): Route[] {
  const list = (ctx: HandlerContext) => [...ctx.store.domains(dkim).values()];
  const create = (ctx: HandlerContext) => {
    const domain = param(ctx, "domain") as string;
    return ctx.lock.run(`add ${type} domain failed`, () => {
      const map = ctx.store.domains(dkim);
      if (map.has(domain)) die(`Domain '${domain}' already exists\n`);
      map.set(domain, { domain, comment: param(ctx, "comment") ?? "" });
      ctx.store.saveDomains(dkim, map);
      return null;
    });
  };
  const read = (ctx: HandlerContext) => {
    const domain = param(ctx, "domain") as string;
    const entry = ctx.store.domains(dkim).get(domain);
    if (!entry) die(`Domain '${domain}' does not exist\n`);
    return entry;
  };
  const write = (ctx: HandlerContext) => {
    const domain = param(ctx, "domain") as string;
    return ctx.lock.run(`update ${type} domain failed`, () => {
      const map = ctx.store.domains(dkim);
      const entry = map.get(domain);
      if (!entry) die(`Domain '${domain}' does not exist\n`);
      entry.comment = param(ctx, "comment") as string;
      ctx.store.saveDomains(dkim, map);
      return null;
    });
  };
  const remove = (ctx: HandlerContext) => {
    const domain = param(ctx, "domain") as string;
    return ctx.lock.run(`delete ${type} domain failed`, () => {
      const map = ctx.store.domains(dkim);
      if (!map.has(domain)) die(`Domain '${domain}' does not exist\n`);
      map.delete(domain);
      ctx.store.saveDomains(dkim, map);
      return null;
    });
  };
  return [
    { path: base, methods: { GET: list, POST: create } },
    { path: `${base}/{domain}`, methods: { GET: read, PUT: write, DELETE: remove } },
  ];
}

export const domainsRoutes: Route[] = [
  ...domainRoutes("/config/domains", false, "relay"),
  ...domainRoutes("/config/dkim/domains", true, "DKIM-sign"),
];
