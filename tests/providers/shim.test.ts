import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, startProviderHost, UNKNOWN, type ProviderHost } from "../harness/providerHost";
import { serializeProviders } from "../harness/serialize";
import { buildProviders } from "../../scripts/buildProviders";

/** A second checkout of the project elsewhere: its own sources, the same node_modules. */
function copyCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-mail-checkout-"));
  for (const entry of ["providers", "lib", "tests", "tsconfig.json", "package.json", "Pulumi.yaml"]) {
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

const KIND = "pmg:PmgTrustedNetwork";
const PMG = JSON.stringify({ endpoint: "https://127.0.0.1:1", username: "root@pam" });

describe("the serialized __provider", () => {
  let original: Record<string, string>;
  let checkout: string;

  beforeAll(async () => {
    original = await serializeProviders("tests/providers/shims.ts");
    checkout = copyCheckout();
  });
  afterAll(() => fs.rmSync(checkout, { recursive: true, force: true }));

  it("is small and holds no absolute path and no credential", () => {
    expect(Object.keys(original)).toEqual(
      expect.arrayContaining([
        "pmg:PmgDkimDomain",
        "pmg:PmgDkimSelector",
        "pmg:PmgDkimSigning",
        "pmg:PmgRelayDomain",
        "pmg:PmgSmarthost",
        "pmg:PmgTransport",
        "pmg:PmgTrustedNetwork",
        "stalwart:StalwartPrincipal",
      ]),
    );
    for (const kind of Object.keys(original)) expect(kind).toMatch(/^[a-z]+:[A-Z][A-Za-z]+$/);
    // Every text is the same shim but for its kind: nothing else (no config, no credential) is captured.
    const shapes = new Set(
      Object.entries(original).map(([kind, text]) => text.split(`"${kind}"`).join('"KIND"')),
    );
    expect(shapes.size).toBe(1);
    const [shape] = shapes;
    expect(shape.length).toBeLessThan(3000);
    expect(shape).not.toContain(PROJECT_ROOT);
    expect(shape).not.toMatch(/"\/(work|home|root|tmp|Users)\//);
    expect(shape).not.toMatch(/homelab-mail:|password|secret/i);
  });

  it("stays byte-identical when implementation code changes, and from another checkout", async () => {
    const impl = path.join(checkout, "providers", "pmg", "entries.ts");
    const source = fs.readFileSync(impl, "utf8");
    const edited = source.replace(
      "const failures: pulumi.dynamic.CheckFailure[] = [];",
      'const failures: pulumi.dynamic.CheckFailure[] = []; void "edited";',
    );
    expect(edited).not.toBe(source);
    fs.writeFileSync(impl, edited);
    const again = await serializeProviders(path.join(checkout, "tests/providers/shims.ts"), [], {
      cwd: checkout,
    });
    expect(again).toEqual(original);
  });

  it("runs the code of the checkout the host starts in, not code frozen in state nor a stale compiled tree", async () => {
    // The checkout was compiled ahead of time (as `npm install` does), then edited: the edit must run.
    buildProviders(checkout);
    const host = await startProviderHost({ cwd: checkout });
    try {
      const impl = path.join(checkout, "lib", "validate.ts");
      fs.writeFileSync(
        impl,
        fs
          .readFileSync(impl, "utf8")
          .replace("is not in canonical form; write it as", "(checkout B) write it as"),
      );
      await host.configure({ "homelab-mail:pmg": PMG, "homelab-mail:pmgPassword": "x" });
      const props = {
        __provider: original[KIND],
        endpoint: "https://127.0.0.1:1",
        cidr: "192.0.2.1/24",
        comment: "",
      };
      const r = await host.check({}, props);
      expect(r.failures).toEqual([
        { property: "cidr", reason: expect.stringMatching(/\(checkout B\) write it as 192\.0\.2\.0\/24/) },
      ]);
    } finally {
      await host.close();
    }
  });
});

describe("configure in the provider host", () => {
  let texts: Record<string, string>;
  let host: ProviderHost;
  beforeAll(async () => {
    texts = await serializeProviders("tests/providers/shims.ts");
  });
  beforeEach(async () => {
    host = await startProviderHost();
  });
  afterEach(() => host.close());

  it("fails every later call with configure's own message, never running unconfigured", async () => {
    await host.configure({ "homelab-mail:pmg": PMG });
    const props = { __provider: texts[KIND], endpoint: "https://127.0.0.1:1", cidr: "192.0.2.0/24" };
    await expect(host.check({}, props)).rejects.toThrow(/homelab-mail:pmgPassword is not set/);
    await expect(host.check({}, props)).rejects.toThrow(/homelab-mail:pmgPassword is not set/);
    await expect(host.delete("192.0.2.0/24", props)).rejects.toThrow(/homelab-mail:pmgPassword is not set/);
  });

  it("answers concurrent first calls of many kinds only once configured", async () => {
    await host.configure({ "homelab-mail:pmg": PMG, "homelab-mail:pmgPassword": "x" });
    const results = await Promise.all(
      Object.entries(texts)
        .filter(([kind]) => kind.startsWith("pmg:"))
        .map(([kind, text]) =>
          host.check(
            {},
            {
              __provider: text,
              endpoint: "ftp://nowhere",
              ...(kind.endsWith("Selector") ? { selector: "s" } : {}),
            },
          ),
        ),
    );
    for (const r of results)
      expect(r.failures).toContainEqual({
        property: "endpoint",
        reason: expect.stringMatching(/^must use https:.* \(got ftp:\)$/),
      });
  });

  it("lets a second concurrent call with a new text wait for configure instead of running unconfigured", async () => {
    await host.configure({ "homelab-mail:pmg": PMG, "homelab-mail:pmgPassword": "x" });
    const props = { __provider: texts[KIND], endpoint: "https://127.0.0.1:1", cidr: "192.0.2.1/24" };
    const [a, b] = await Promise.all([host.check({}, props), host.check({}, props)]);
    for (const r of [a, b])
      expect(r.failures).toEqual([
        { property: "cidr", reason: expect.stringMatching(/write it as 192\.0\.2\.0\/24/) },
      ]);
  });

  it("tolerates preview's unknown values in check and reports them as changes in diff", async () => {
    await host.configure({ "homelab-mail:pmg": PMG, "homelab-mail:pmgPassword": "x" });
    const text = texts["pmg:PmgTransport"];
    const news = {
      __provider: text,
      endpoint: "https://127.0.0.1:1",
      domain: "example.net",
      host: UNKNOWN,
      port: 25,
    };
    const checked = await host.check({}, news);
    expect(checked.failures).toEqual([]);
    const olds = {
      __provider: text,
      endpoint: "https://127.0.0.1:1",
      domain: "example.net",
      host: "192.0.2.20",
      port: 25,
      protocol: "smtp",
      useMx: false,
      comment: "",
    };
    expect(await host.diff("example.net", olds, checked.inputs)).toMatchObject({
      changes: "some",
      replaces: [],
    });
    const unknownKey = await host.diff("example.net", olds, {
      ...checked.inputs,
      host: "192.0.2.20",
      domain: UNKNOWN,
    });
    expect(unknownKey).toMatchObject({ changes: "some", replaces: ["domain"] });
  });

  it("keeps the password out of everything it prints", async () => {
    const password = "never-print-this-9f3b";
    await host.configure(
      { "homelab-mail:pmg": PMG, "homelab-mail:pmgPassword": password },
      { secretKeys: ["homelab-mail:pmgPassword"] },
    );
    const props = {
      __provider: texts[KIND],
      endpoint: "https://127.0.0.1:1",
      cidr: "192.0.2.0/24",
      comment: "",
    };
    const err = await host.create(props).catch((e: Error) => e);
    expect(String(err)).toMatch(/failed \(no answer\)/);
    expect(String(err)).not.toContain(password);
    await host.close();
    expect(host.logs.join("\n")).not.toContain(password);
  });
});
