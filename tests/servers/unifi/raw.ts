/** A raw caller for the stand-in's tests: it is judged by what goes over the wire, not through the provider's client. */
import { fetch, type Agent } from "undici";
import { createDispatcher } from "../../../providers/http";
import { startUnifiServer, type UnifiServerOptions, type UnifiTestServer } from "./server";

export const V2 = "/proxy/network/v2/api/site/default/static-dns";
export const INT = "/proxy/network/integration/v1";

function caller(server: UnifiTestServer, dispatcher: Agent) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { "x-api-key": server.apiKey },
  ) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
  };
}

export async function start(opts: UnifiServerOptions = {}) {
  const server = await startUnifiServer(opts);
  const dispatcher = createDispatcher({ tlsFingerprint: server.fingerprint });
  return {
    server,
    call: caller(server, dispatcher),
    close: async () => (await dispatcher.close(), await server.close()),
  };
}

/** The reference's minimal v2 create (§1). */
export const A = { key: "pmg.lab.local", record_type: "A", value: "192.0.2.10", enabled: true, ttl: 0 };

export type Started = Awaited<ReturnType<typeof start>>;
