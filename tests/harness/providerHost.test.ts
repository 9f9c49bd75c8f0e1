// Proves the harness end to end: the fixture provider, serialized as `pulumi up` would, runs in
// Pulumi's real dynamic-provider host and every engine step round-trips through gRPC.
// One host and one serialization for the whole file: the spawn costs ~0.5 s, serializing ~1.5 s.
import { type PropertyBag, type ProviderHost, startProviderHost, UNKNOWN } from "./providerHost";
import { serializeProviders } from "./serialize";

const TOKEN = "s3cr3t-echo-token";
let host: ProviderHost;
let echo: string;
let silent: string;
const bag = (props: PropertyBag) => ({ __provider: echo, ...props });

beforeAll(async () => {
  [{ echo, silent }, host] = await Promise.all([
    serializeProviders("tests/harness/fixtures/echoProvider.ts"),
    startProviderHost(),
  ]);
  // The engine configures before any CRUD call; the provider's own configure() then runs on
  // the first RPC that carries its text (reference §3, "How often").
  await host.configure(
    { "homelab-mail:greeting": "hello", "homelab-mail:echoToken": TOKEN, "other:thing": '{"a":1}' },
    { secretKeys: ["homelab-mail:echoToken"] },
  );
});

afterAll(() => host?.close());

test("check returns the provider's inputs with __provider re-added", async () => {
  const res = await host.check({}, bag({ message: "  hi  " }));
  expect(res).toEqual({ inputs: { __provider: echo, message: "hi" }, failures: [] });
});

test("check failures come back as property/reason pairs", async () => {
  const res = await host.check({}, bag({ message: "" }));
  expect(res.failures).toEqual([{ property: "message", reason: "message must be a non-empty string" }]);
});

test("an UNKNOWN input passes through check untouched (preview)", async () => {
  const res = await host.check({}, bag({ message: UNKNOWN }));
  expect(res).toEqual({ inputs: { __provider: echo, message: UNKNOWN }, failures: [] });
});

test("create sees configure's state, with the secret config decrypted", async () => {
  const res = await host.create(bag({ message: "hi", zone: "a" }));
  expect(res).toEqual({
    id: "echo-hi",
    properties: { __provider: echo, message: "hi", zone: "a", greeting: "hello", token: TOKEN },
  });
});

test("undefined inputs are dropped, as the engine never sends them", async () => {
  const res = await host.create(bag({ message: "bare", zone: undefined }));
  expect(res.properties).not.toHaveProperty("zone");
});

test("diff maps changes, replaces and deleteBeforeReplace", async () => {
  const olds = bag({ message: "hi", zone: "a", greeting: "hello" });
  expect(await host.diff("echo-hi", olds, bag({ message: "hi", zone: "a" }))).toEqual({
    changes: "none",
    replaces: [],
    deleteBeforeReplace: false,
  });
  expect((await host.diff("echo-hi", olds, bag({ message: "yo", zone: "a" }))).changes).toBe("some");
  expect(await host.diff("echo-hi", olds, bag({ message: "hi", zone: "b" }))).toEqual({
    changes: "some",
    replaces: ["zone"],
    deleteBeforeReplace: true,
  });
});

test("read returns refreshed properties and inputs; an empty id means gone", async () => {
  const res = await host.read("echo-hi", bag({ message: "hi" }));
  expect(res).toEqual({
    id: "echo-hi",
    properties: { __provider: echo, message: "hi", readBack: true },
    inputs: { __provider: echo, message: "hi" },
  });
  expect((await host.read("echo-gone", bag({ message: "x" }))).id).toBe("");
});

test("update returns the new outputs plus __provider", async () => {
  const res = await host.update("echo-hi", bag({ message: "hi" }), bag({ message: "yo" }));
  expect(res.properties).toEqual({
    __provider: echo,
    message: "yo",
    greeting: "hello",
    token: TOKEN,
    updated: true,
  });
});

test("delete resolves, and a thrown delete error surfaces with its message", async () => {
  await expect(host.delete("echo-hi", bag({ message: "hi" }))).resolves.toBeUndefined();
  await expect(host.delete("echo-stuck", bag({}))).rejects.toThrow("echo: echo-stuck cannot be deleted");
});

test("a thrown create error rejects with the provider's message and gRPC code UNKNOWN", async () => {
  const err = await host.create(bag({ message: "fail" })).catch((e: unknown) => e);
  expect(err).toMatchObject({ message: "echo: refusing to create 'fail'", code: 2, rpc: "create" });
  await expect(host.create(bag({ message: "fail" }))).rejects.toThrow(/refusing to create/);
});

test("a partial create carries the id, properties and reasons (ErrorResourceInitFailed)", async () => {
  const err = await host.create(bag({ message: "half" })).catch((e: unknown) => e);
  expect(err).toMatchObject({
    message: "echo: half created",
    initFailure: { id: "echo-half", properties: { message: "half" }, reasons: ["not ready"] },
  });
});

test("a second provider text from the same module runs on the same host", async () => {
  expect(silent).not.toBe(echo);
  const res = await host.create({ __provider: silent, name: "x" });
  expect(res).toEqual({ id: "silent", properties: { __provider: silent } });
});

test("configure rejects bare keys and unknown secret keys before sending", async () => {
  await expect(host.configure({ greeting: "x" })).rejects.toThrow(/not namespaced/);
  await expect(host.configure({ "a:b": "x" }, { secretKeys: ["a:c"] })).rejects.toThrow(/a:c/);
});

test("host output is captured in logs, and the secret never appears there", async () => {
  const line = await host.waitForLog("echo: configured");
  expect(line).toBe(`echo: configured, greeting=hello, token length=${TOKEN.length}`);
  // The host also prints check/diff/read/delete errors itself (console.error in each handler);
  // the line can arrive after the RPC reply, hence waitForLog rather than reading logs.
  await host.waitForLog("echo-stuck cannot be deleted");
  // Create errors go back over gRPC only. Outputs carry the token, but no log line does.
  expect(host.logs.join("\n")).not.toContain(TOKEN);
});

test("calls are counted per RPC", () => {
  expect(host.calls.configure).toBe(1); // the two rejected above never left the harness
  expect(host.calls.create).toBeGreaterThanOrEqual(5);
  expect(host.pid).toBeGreaterThan(0);
});
