// Path routing as PVE::RESTHandler::find_handler does it: the relative URI is split on "/+"
// (empty fragments dropped), a `{name}` component matches `m/^(\S+)$/`, and below a subclass
// registered with fragmentDelimiter '' (/config/mynetworks) the rest of the path is one component.
import type { ConfigLock } from "./errors";
import type { Authority } from "./auth";
import type { Counters } from "./faults";
import type { PmgVersion } from "./api-schema";
import type { Store } from "./state";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface HandlerContext {
  params: Map<string, string | null>;
  store: Store;
  lock: ConfigLock;
  version: PmgVersion;
  authority: Authority;
  counters: Counters;
  userid?: string;
}

export type Handler = (ctx: HandlerContext) => unknown;

export interface Route {
  /** Template as in schema.json, e.g. "/config/transport/{domain}". */
  path: string;
  methods: Partial<Record<HttpMethod, Handler>>;
}

/** Subtrees whose remaining path is a single parameter (fragmentDelimiter => ''). */
const FRAGMENT_PREFIXES = ["/config/mynetworks"];

export interface RouteMatch {
  route: Route;
  uriParams: Map<string, string>;
}

function matchRoute(route: Route, comps: string[]): Map<string, string> | null {
  const tmpl = route.path.split("/").filter((c) => c.length > 0);
  const params = new Map<string, string>();
  let rest = [...comps];
  let prefix = "";
  for (let i = 0; i < tmpl.length; i++) {
    const comp = rest.shift();
    if (comp === undefined) return null;
    const t = tmpl[i];
    const p = /^\{([\w-]+)\}$/.exec(t);
    if (p) {
      const m = /^(\S+)(?=\n?$)/.exec(comp);
      if (!m) return null;
      params.set(p[1], m[1]);
    } else if (t !== comp) {
      return null;
    }
    prefix += `/${t}`;
    if (FRAGMENT_PREFIXES.includes(prefix) && rest.length > 1) rest = [rest.join("/")];
  }
  return rest.length === 0 ? params : null;
}

/** find_handler: the route whose path matches (regardless of method), with its URI parameters. */
export function findRoute(routes: Route[], relUri: string): RouteMatch | null {
  const comps = relUri.split(/\/+/).filter((c) => c.length > 0);
  for (const route of routes) {
    const uriParams = matchRoute(route, comps);
    if (uriParams) return { route, uriParams };
  }
  return null;
}

/** The value of a (validated, untainted) parameter; undefined when absent or undef. */
export function param(ctx: HandlerContext, name: string): string | undefined {
  return ctx.params.get(name) ?? undefined;
}
