// The wire around the stand-in's handlers: versions, route labels (for counters and fault
// matching), JSON bodies in and out.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reply } from "./v2";

/** Whether a Network version such as 10.1.78 is at least major.minor. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

/** "METHOD <route>" for counters and fault matching. */
export function routeOf(method: string, path: string): string {
  const integration = /^\/proxy\/network\/integration\/v1(\/.*)$/.exec(path)?.[1];
  if (integration !== undefined) {
    const r = integration
      .replace(/^\/sites\/[^/]+\/dns\/policies/, "/dns/policies")
      .replace(/(\/dns\/policies)\/[^/]+$/, "$1/{id}");
    return `${method} /integration${r}`;
  }
  const v2 = /^\/proxy\/network\/v2\/api\/site\/[^/]+\/static-dns(\/[^/]+)?$/.exec(path);
  if (v2) return `${method} /v2/static-dns${v2[1] ? "/{id}" : ""}`;
  return `${method} ${path}`;
}

export async function readBody(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  const body = reply.body === undefined ? "" : JSON.stringify(reply.body);
  if (body) headers["content-type"] = "application/json;charset=utf-8";
  res.writeHead(reply.status, headers);
  res.end(body);
}
