// serializeProviders: which exports it takes, that its texts are stable and free of absolute
// paths, and that its errors say what went wrong. Each call spawns a ts-node child (~1.2 s), so
// the file shares results between tests where it can.
import { PROJECT_ROOT } from "./providerHost";
import { serializeProviders } from "./serialize";

const ECHO = "tests/harness/fixtures/echoProvider.ts";
const FACTORY = "tests/harness/fixtures/factoryProviders.ts";
let all: Record<string, string>;
let factory: Record<string, string>;

beforeAll(async () => {
  [all, factory] = await Promise.all([serializeProviders(ECHO), serializeProviders(FACTORY)]);
});

test("named exports with a create method are providers, keyed by export name", () => {
  expect(Object.keys(all).sort()).toEqual(["echo", "silent"]);
  // The shape the host runs: requireFromString(text).handler() returns the provider (§1, end).
  expect(all.echo).toMatch(/^exports\.handler = __f0;/);
  expect(all.echo).toContain("with({ provider: __provider");
});

test("a providers() export wins over named exports, and non-providers are skipped", () => {
  expect(Object.keys(factory).sort()).toEqual(["alias", "mailbox"]);
  // The factory's captured `kind` is baked in as a literal (reference §2).
  expect(factory.mailbox).toContain('kind: "mailbox"');
  expect(factory.alias).toContain('kind: "alias"');
});

test("exportNames selects, and the same provider serializes to the same text", async () => {
  const only = await serializeProviders(ECHO, ["echo"]);
  expect(Object.keys(only)).toEqual(["echo"]);
  // Byte-identical across processes: a changed text would turn every resource into an update
  // (reference §4, "Why it matters").
  expect(only.echo).toBe(all.echo);
});

test("texts hold no absolute path of this checkout (reference §4c)", () => {
  for (const text of [...Object.values(all), ...Object.values(factory)]) {
    expect(text).not.toContain(PROJECT_ROOT);
  }
});

test("an absent export name rejects, naming it", async () => {
  await expect(serializeProviders(ECHO, ["nope"])).rejects.toThrow(/no ResourceProvider export named nope/);
});

test("a module that cannot load rejects with the child's error", async () => {
  await expect(serializeProviders("tests/harness/fixtures/missing.ts")).rejects.toThrow(/Cannot find module/);
});
