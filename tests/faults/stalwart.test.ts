/**
 * StalwartPrincipal under faults, through the provider host, on both management APIs (REST up to
 * 0.15, JMAP from 0.16). After every row, state and server agree: the account state holds exists on
 * the server with the state's addresses and description, and logs in with the state's password;
 * and the server holds no account state does not know of.
 */
import { startStalwartServer, type StalwartTestServer } from "../servers/stalwart/server";
import type { Engine, State } from "../providers/engine";
import { KIND, startStalwartBeds, type StalwartBeds } from "../providers/stalwart/bed";
import { attempt } from "./attempt";
import { FaultTable } from "./table";

const ACCOUNT = { type: "individual", name: "noreply", emails: ["noreply@example.net"] };

let beds: StalwartBeds;
const table = new FaultTable("stalwart");
beforeAll(async () => {
  beds = await startStalwartBeds();
});
afterAll(async () => {
  await beds.close();
  table.write();
});

describe.each(["rest", "jmap"] as const)("Stalwart (%s API) under faults", (api) => {
  let server: StalwartTestServer;
  let engine: Engine;
  const label = api === "rest" ? "REST, 0.15" : "JMAP, 0.16";
  const up = (extra: Record<string, unknown> = {}, state?: State) =>
    engine.up(KIND, { endpoint: server.url, ...ACCOUNT, ...extra }, state).then((r) => r.state);
  /** `fix`: what ends the fault; by default the network recovers. */
  const run = <T>(fault: string, operation: string, op: () => Promise<T>, fix = () => server.clearFaults()) =>
    attempt(
      table,
      { fault, operation: `${operation} (${label})` },
      { requests: () => server.counters.requests, recover: fix, pending: () => server.pendingFaults },
      op,
    );

  const onServer = () =>
    api === "rest"
      ? [...server.rest.principals.values()]
          .filter((p) => p.type === "individual")
          .map((p) => ({ emails: p.emails, description: p.description ?? "" }))
      : [...server.jmap.accounts.values()].map((a) => ({
          emails: server.jmap.addresses(a),
          description: a.description ?? "",
        }));
  const agrees = async (state: State | undefined) => {
    const mine = state ? [{ emails: state.outputs.emails, description: state.outputs.description }] : [];
    expect(onServer()).toEqual(mine);
    if (state)
      expect(await beds.canLogin(server, state.outputs.loginName, state.outputs.password)).toBe(true);
  };

  beforeAll(() => {
    server = beds.servers[api];
    engine = beds.engine;
  });
  beforeEach(async () => {
    server.reset();
    // Also connects the host's client and detects the API, so each row starts from a warm provider.
    await engine.up(KIND, { endpoint: server.url, type: "domain", name: "example.net" });
  });

  it("200 ms of latency on every answer: converges", async () => {
    server.latencyMs = 200;
    await agrees((await run("200 ms latency", "create account", () => up())).result);
  });

  it("a burst of 503s within the retry budget: converges without a failure", async () => {
    server.failNext(2, 503);
    const r = await run("2 × 503", "create account", () => up());
    expect(r.error).toBeUndefined();
    await agrees(r.result);
  });

  it("a burst of 502s beyond the retry budget: fails naming the request, creates nothing, converges next time", async () => {
    server.failNext(6, 502);
    let first = true;
    const r = await run("6 × 502", "create account", () =>
      first
        ? up().catch((e) => {
            first = false;
            expect(onServer()).toEqual([]);
            throw e;
          })
        : up(),
    );
    expect(r.error?.message).toMatch(/stalwart: (GET|POST) \/\S+ failed \(502\): Bad Gateway/);
    await agrees(r.result);
  });

  it("429 answers: backs off and converges", async () => {
    server.failNext(2, 429);
    const r = await run("2 × 429", "create account", () => up());
    expect(r.error).toBeUndefined();
    await agrees(r.result);
  });

  it("a connection dropped before the answer: retried, converges", async () => {
    server.dropNext(1);
    const r = await run("connection dropped mid-request", "create account", () => up());
    expect(r.error).toBeUndefined();
    await agrees(r.result);
  });

  it("a create that succeeded but whose answer was lost: adopts its own account in the same run", async () => {
    server.dropAfterHandlingNext(1, api === "rest" ? "POST /api/principal {" : "x:Account/set");
    const r = await run("answer to a successful create lost", "create account", () => up());
    expect(r.error).toBeUndefined();
    await agrees(r.result);
  });

  it("an update that succeeded but whose answer was lost: the next run sees it done", async () => {
    const first = await up();
    server.dropAfterHandlingNext(1, api === "rest" ? "PATCH /api/principal/noreply" : "x:Account/set");
    // The engine keeps the old state when update fails, so the second run starts from it too.
    const r = await run("answer to a successful update lost", "update description", () =>
      up({ description: "notifications" }, first),
    );
    expect(r.result.outputs.description).toBe("notifications");
    await agrees(r.result);
  });

  it("a delete that succeeded but whose answer was lost: the next run finds it gone", async () => {
    const state = await up();
    server.dropAfterHandlingNext(1, api === "rest" ? "DELETE /api/principal/noreply" : '"destroy"');
    await run("answer to a successful delete lost", "delete account", () => engine.destroy(state));
    await agrees(undefined);
  });

  it("the admin password changed on the server: fails naming the credentials, converges once they match", async () => {
    const state = await up();
    const password = server.password;
    server.expireCredentials();
    // The operator's fix: make homelab-mail:stalwartPassword and the server agree again.
    const r = await run(
      "admin credentials expired",
      "update description",
      () => up({ description: "notifications" }, state),
      () => (server.password = password),
    );
    expect(r.error?.message).toMatch(
      /failed \(401\).*check homelab-mail:stalwart\.username \(admin\) and the secret homelab-mail:stalwartPassword/,
    );
    expect(r.error?.message).not.toContain(password);
    await agrees(r.result);
  });

  // Last in each mode: it stops this mode's server for good.
  it("the server dies between create and refresh, and comes back empty: refresh fails clearly, then drops the account", async () => {
    const state = await up();
    const { password } = server;
    const port = Number(new URL(server.url).port);
    await server.close();
    const started = Date.now();
    const err = (await engine.refresh(state).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/stalwart: (GET|POST) \/\S+ failed \(no answer\)/);
    server = await startStalwartServer({ api, port, password });
    try {
      const after = await engine.refresh(state);
      expect(after).toBeUndefined();
      await agrees(after);
      table.add({
        fault: "server died between create and refresh, came back empty",
        operation: `refresh account (${label})`,
        outcome: `failed: ${err.message.slice(0, 100)}; the next refresh dropped it from state`,
        requests: server.counters.requests,
        ms: Date.now() - started,
      });
    } finally {
      await server.close();
    }
  });
});
