/**
 * StalwartPrincipal through the provider host against the stand-in, on both management APIs:
 * REST (0.10-0.15) and JMAP (0.16+). The same declarations must behave the same on both.
 */
import { CheckFailed, type Engine, type State } from "../engine";
import type { StalwartTestServer } from "../../servers/stalwart/server";
import { startStalwartBeds, KIND, type StalwartBeds } from "./bed";

const DOMAINS = ["example.net", "example.org"];
const PASSWORDS = {
  "homelab-mail:stalwartAccountPasswords": JSON.stringify({ noreply: "Velvet-Harbor-71-Quince" }),
};
const ADOPT = { "homelab-mail:adoptExisting": "true" };
const NOREPLY = {
  type: "individual",
  name: "noreply",
  emails: ["noreply@example.net", "noreply@example.org"],
  description: "Service notifications",
};

let beds: StalwartBeds;
beforeAll(async () => {
  beds = await startStalwartBeds(PASSWORDS, ADOPT);
});
afterAll(() => beds.close());

describe.each(["rest", "jmap"] as const)("StalwartPrincipal on the %s API", (api) => {
  let server: StalwartTestServer;
  let engine: Engine;
  let endpoint: string;
  const canLogin = (login: string, password: string) => beds.canLogin(server, login, password);
  beforeAll(() => {
    server = beds.servers[api];
    engine = beds.engine;
    endpoint = server.url;
  });
  beforeEach(() => server.reset());

  const domains = async (e: Engine = engine) =>
    Promise.all(DOMAINS.map((name) => e.up(KIND, { endpoint, type: "domain", name })));
  const account = (e: Engine = engine, extra: Record<string, unknown> = {}, state?: State) =>
    e.up(KIND, { endpoint, ...NOREPLY, ...extra }, state);
  const deliver = (s: State, bytes: number) =>
    server.deliver(api === "rest" ? s.outputs.name : s.outputs.emails[0], bytes);
  const description = (s: State) =>
    api === "rest"
      ? server.rest.byName(s.outputs.name)?.description
      : server.jmap.accounts.get(1)?.description;

  it("creates domains and an account that logs in with its own password, then does nothing when nothing changed", async () => {
    await domains();
    const { state } = await account();
    const out = state.outputs;
    expect(out).toMatchObject({
      api,
      name: "noreply",
      emails: NOREPLY.emails,
      roles: ["user"],
      quota: 0,
      passwordDrift: false,
    });
    expect(out.loginName).toBe(api === "rest" ? "noreply" : "noreply@example.net");
    expect(out.password).toMatch(/^[A-Za-z0-9]{6}(-[A-Za-z0-9]{6}){3}$/);
    expect(await canLogin(out.loginName, out.password)).toBe(true);
    expect(JSON.stringify(state)).not.toContain(server.password);
    // The server never holds the plain password: ≤0.15 gets a hash, 0.16 hashes and masks.
    const stored = JSON.stringify(
      api === "rest" ? [...server.rest.principals.values()] : [...server.jmap.accounts.values()],
    );
    expect(stored).not.toContain(out.password);
    expect((await account(engine, {}, state)).step).toBe("same");
    expect(
      (await account(engine, { name: "NoReply", description: "Service notifications" }, state)).step,
    ).toBe("same");
  });

  it("renames an account and adds and removes addresses in place, keeping its mail", async () => {
    await domains();
    const { state } = await account();
    deliver(state, 4096);
    const renamed = await account(
      engine,
      { name: "no-reply", emails: ["no-reply@example.net", "noreply@example.org", "alerts@example.net"] },
      state,
    );
    expect([renamed.step, renamed.state.id]).toEqual(["update", state.id]);
    expect(renamed.state.outputs.emails).toEqual([
      "no-reply@example.net",
      "alerts@example.net",
      "noreply@example.org",
    ]);
    expect(renamed.state.outputs.loginName).toBe(api === "rest" ? "no-reply" : "no-reply@example.net");
    expect(await canLogin(renamed.state.outputs.loginName, state.outputs.password)).toBe(true);
    const trimmed = await account(
      engine,
      { name: "no-reply", emails: ["no-reply@example.net", "alerts@example.net"] },
      renamed.state,
    );
    expect(trimmed.state.outputs.emails).toEqual(["no-reply@example.net", "alerts@example.net"]);
    expect(server.counters.destroyed).toBe(0);
    expect(
      api === "rest" ? server.rest.byName("no-reply")?.usedQuota : server.jmap.accounts.get(1)?.usedDiskQuota,
    ).toBe(4096);
  });

  it("sets the password from config, keeps it without a perpetual diff, and never re-sends an unchanged one", async () => {
    await domains();
    const { state } = await account();
    const configured = await beds.engineWith(PASSWORDS);
    const changed = await account(configured, {}, state);
    expect(changed.step).toBe("update");
    expect(changed.state.outputs.password).toBe("Velvet-Harbor-71-Quince");
    expect(await canLogin(state.outputs.loginName, "Velvet-Harbor-71-Quince")).toBe(true);
    expect(await canLogin(state.outputs.loginName, state.outputs.password)).toBe(false);
    const writes = JSON.stringify(server.counters.requestsByRoute);
    expect((await account(configured, {}, changed.state)).step).toBe("same");
    expect((await configured.refresh(changed.state))?.outputs).toEqual(changed.state.outputs);
    expect(JSON.stringify(server.counters.requestsByRoute).match(/PATCH|set/g)).toEqual(
      writes.match(/PATCH|set/g),
    );
  });

  it("refuses to delete a mailbox that holds mail unless the resource allows it", async () => {
    const [net] = await domains();
    const { state } = await account();
    deliver(state, 52311);
    await expect(engine.destroy(state)).rejects.toThrow(
      /refusing to delete account noreply .*52311 bytes of mail.*allowMailboxDeletion: true/,
    );
    expect(await engine.refresh(state)).toBeDefined();
    await expect(engine.destroy(net.state)).rejects.toThrow(
      /refusing to delete domain example\.net.*Nothing was changed/,
    );
    const allowed = await account(engine, { allowMailboxDeletion: true }, state);
    expect(allowed.step).toBe("update");
    await engine.destroy(allowed.state);
    expect(await engine.refresh(state)).toBeUndefined();
    await expect(engine.destroy(allowed.state)).resolves.toBeUndefined();
    await engine.destroy(net.state);
    expect(await engine.refresh(net.state)).toBeUndefined();
  });

  it("deletes an empty mailbox without asking", async () => {
    await domains();
    const { state } = await account();
    await engine.destroy(state);
    expect(await engine.refresh(state)).toBeUndefined();
    expect(server.counters.destroyed).toBe(1);
  });

  it("adopts an identical account and refuses a differing one, saying how to adopt it", async () => {
    const made = await beds.engineWith(PASSWORDS);
    await domains(made);
    await account(made);
    const again = await account(made);
    expect([again.step, again.state.outputs.password]).toEqual(["create", "Velvet-Harbor-71-Quince"]);
    // A password the program would generate is a real conflict: refused, nothing changed (the
    // differing description alone is a label, and would not be).
    const err = await account(engine, { description: "by the program" }).catch((e: Error) => e);
    expect(String(err)).toMatch(
      /account noreply .* already exists and differs \((its stored password does not verify|its password cannot be read back)/,
    );
    expect(String(err)).not.toMatch(/description is/);
    expect(String(err)).toMatch(/pulumi config set homelab-mail:adoptExisting true/);
    expect(String(err)).toMatch(/homelab-mail:stalwartAccountPasswords\.noreply/);
    expect(description(again.state)).toBe("Service notifications");
    // With its password declared, a different description is adopted and changed; left out, it is kept.
    const relabelled = await account(made, { description: "Notifications" });
    expect(description(relabelled.state)).toBe("Notifications");
    const kept = await account(made, { description: undefined });
    expect([kept.state.outputs.description, description(kept.state)]).toEqual([
      "Notifications",
      "Notifications",
    ]);
    const adopting = await beds.engineWith(ADOPT);
    const adopted = await account(adopting, { description: "by the program" });
    expect(description(adopted.state)).toBe("by the program");
    expect(await canLogin(adopted.state.outputs.loginName, adopted.state.outputs.password)).toBe(true);
  });

  it("adopts its own create whose answer was lost, with the password it sent", async () => {
    await domains();
    server.dropAfterHandlingNext(1, api === "rest" ? "POST /api/principal " : "x:Account/set");
    const { state } = await account();
    expect(state.outputs.name).toBe("noreply");
    expect(await canLogin(state.outputs.loginName, state.outputs.password)).toBe(true);
    expect(api === "rest" ? server.rest.principals.size : server.jmap.accounts.size).toBe(
      api === "rest" ? 3 : 1,
    );
    // One create reached the server and was not sent again; 0.16 masks passwords, so the one it sent is set once more.
    const creates =
      api === "rest"
        ? server.counters.requestsByRoute["POST /api/principal"]
        : server.counters.methodCalls["x:Account/set"];
    expect(creates).toBe(api === "rest" ? 3 : 2);
  });

  it("shows changes made by hand on refresh and puts the declaration back", async () => {
    await domains();
    const { state } = await account();
    if (api === "rest") {
      const p = server.rest.byName("noreply")!;
      p.description = "edited by hand";
      p.secrets = ["{PLAIN}changed-by-hand"];
    } else {
      server.jmap.accounts.get(1)!.description = "edited by hand";
    }
    const drifted = (await engine.refresh(state))!;
    expect(drifted.outputs.description).toBe("edited by hand");
    expect(drifted.outputs.passwordDrift).toBe(api === "rest");
    expect(drifted.inputs.description).toBe("edited by hand");
    const fixed = await account(engine, {}, drifted);
    expect(fixed.step).toBe("update");
    // The password was set again, so its stored hash (a new salt) is the one thing that may differ.
    const { verifiedHash: _a, ...refreshed } = (await engine.refresh(fixed.state))!.outputs;
    const { verifiedHash: _b, ...original } = state.outputs;
    expect(refreshed).toEqual(original);
    expect(await canLogin(state.outputs.loginName, state.outputs.password)).toBe(true);
    if (api === "rest") {
      // Renamed by hand: found again by its id, and renamed back.
      server.rest.byName("noreply")!.name = "renamed";
      const renamed = (await engine.refresh(fixed.state))!;
      expect(renamed.outputs.name).toBe("renamed");
      expect((await account(engine, {}, renamed)).state.outputs.name).toBe("noreply");
    }
    api === "rest" ? server.rest.principals.clear() : server.jmap.accounts.clear();
    expect(await engine.refresh(state)).toBeUndefined();
  });

  it("rejects bad input naming each property, before any request", async () => {
    const before = server.counters.requests;
    const bad = {
      endpoint: "ftp://x",
      type: "individual",
      name: "No Reply",
      emails: ["noreply@example"],
      roles: [],
      quota: -1,
      mailbox: true,
    };
    const err = (await engine.check(KIND, bad).catch((e) => e)) as CheckFailed;
    expect(err).toBeInstanceOf(CheckFailed);
    expect(err.failures.map((f) => f.property).sort()).toEqual([
      "emails[0]",
      "endpoint",
      "mailbox",
      "name",
      "quota",
      "roles",
    ]);
    const domainErr = (await engine
      .check(KIND, { endpoint, type: "domain", name: "example.net", emails: ["a@example.net"] })
      .catch((e) => e)) as CheckFailed;
    expect(domainErr.failures).toEqual([
      { property: "emails", reason: expect.stringMatching(/individual accounts only/) },
    ]);
    expect(server.counters.requests).toBe(before);
  });

  it("fails on an error the server reports, never taking it for success", async () => {
    await domains();
    // No domain principal for example.com: ≤0.15 answers HTTP 200 {"error":"notFound","item":"example.com"}.
    await expect(account(engine, { emails: ["noreply@example.com"] })).rejects.toThrow(
      /notFound.*example\.com/,
    );
    await account();
    await expect(
      engine.up(KIND, { endpoint, type: "individual", name: "other", emails: ["noreply@example.org"] }),
    ).rejects.toThrow(
      api === "rest"
        ? /fieldAlreadyExists: field emails, value noreply@example\.org.*belongs to another account/
        : /primaryKeyViolation.*belongs to another account/,
    );
    expect(api === "rest" ? server.rest.principals.size : server.jmap.accounts.size).toBe(
      api === "rest" ? 3 : 1,
    );
  });
});
