/**
 * One HTTP exchange on a connection of its own, as `curl` makes it: a fresh undici Agent per call,
 * closed afterwards, so nothing is reused between calls (no keep-alive, no TLS session).
 */
import { Agent, fetch } from "undici";

export interface Answer {
  readonly status: number;
  /** The parsed body, unchecked: each caller checks the fields it reads. */
  readonly json: any;
}

export type Send = (
  method: string,
  url: string,
  headers?: Record<string, string>,
  body?: string,
) => Promise<Answer>;

/** Runs `exchange` with a `send` bound to a new connection; the connection is closed when it returns. */
export async function oneShot<T>(ca: string | undefined, exchange: (send: Send) => Promise<T>): Promise<T> {
  const agent = new Agent({ connections: 1, connect: ca ? { ca, maxCachedSessions: 0 } : {} });
  const send: Send = async (method, url, headers = {}, body) => {
    const res = await fetch(url, { method, headers, body, dispatcher: agent });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  };
  try {
    return await exchange(send);
  } finally {
    await agent.close();
  }
}

/** Form encoding, as `curl -d` sends it. */
export function form(params: Record<string, string | number>): string {
  return new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
}

export function fail(what: string, a: Answer): never {
  throw new Error(`bench: ${what} answered ${a.status}: ${JSON.stringify(a.json)?.slice(0, 300)}`);
}
