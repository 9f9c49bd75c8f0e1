import { generateKeyPairSync } from "node:crypto";
import { startPmgBed, type PmgBed } from "./bed";

const SELECTOR = "pmg:PmgDkimSelector";

function rsaPem(bits: number): { pem: string; spki: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return {
    pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    spki: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
  };
}

describe("PmgDkimSelector through the provider host", () => {
  let bed: PmgBed;
  beforeAll(async () => {
    bed = await startPmgBed();
  });
  afterAll(() => bed.close());
  beforeEach(() => bed.pmg.reset());
  const admin = () => bed.pmg.state.section("admin");

  it("generates a key, activates the selector and outputs the exact TXT value", async () => {
    const { engine, pmg, endpoint } = bed;
    const { state } = await engine.up(SELECTOR, { endpoint, selector: "PMG2026", keySize: 2048 });
    expect(state.id).toBe("pmg2026");
    expect(admin().get("dkim_selector")).toBe("pmg2026");
    const pem = pmg.state.dkimKeys.get("pmg2026")!;
    const { createPublicKey } = await import("node:crypto");
    const spki = createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");
    expect(state.outputs).toMatchObject({
      selector: "pmg2026",
      keySize: 2048,
      publicKey: spki,
      active: true,
    });
    expect(state.outputs.txtValue).toBe(`v=DKIM1; h=sha256; k=rsa; p=${spki}`);

    const same = await engine.up(SELECTOR, { endpoint, selector: "pmg2026", keySize: 2048 }, state);
    expect(same.step).toBe("same");
    expect(pmg.state.dkimKeys.get("pmg2026")).toBe(pem);
  });

  it("adopts an existing key of the declared size and refuses one of another size", async () => {
    const { engine, pmg, endpoint } = bed;
    const existing = rsaPem(1024);
    pmg.state.dkimKeys.set("old", existing.pem);
    await expect(engine.up(SELECTOR, { endpoint, selector: "old", keySize: 2048 })).rejects.toThrow(
      /already has a 1024-bit key, declared 2048\. Nothing was changed\. To adopt the existing key, set homelab-mail:pmg\.dkim\.keySize to 1024/,
    );
    expect(pmg.state.dkimKeys.get("old")).toBe(existing.pem);
    const { state } = await engine.up(SELECTOR, { endpoint, selector: "old", keySize: 1024 });
    expect(state.outputs.publicKey).toBe(existing.spki);
  });

  it("refuses to switch selectors under active signing until DNS can publish the new key", async () => {
    const { engine, pmg, endpoint } = bed;
    pmg.state.dkimKeys.set("pmg2025", rsaPem(1024).pem);
    admin().set("dkim_selector", "pmg2025");
    admin().set("dkim_sign", 1);
    await expect(engine.up(SELECTOR, { endpoint, selector: "pmg2026", keySize: 2048 })).rejects.toThrow(
      /signing .* is on with selector pmg2025; making pmg2026 active now would sign with a key no DNS record publishes yet/,
    );
    expect(admin().get("dkim_selector")).toBe("pmg2025");
  });

  it("notices a selector switched by hand and switches it back", async () => {
    const { engine, endpoint } = bed;
    const { state } = await engine.up(SELECTOR, { endpoint, selector: "pmg2026", keySize: 2048 });
    admin().set("dkim_selector", "other");
    const refreshed = (await engine.refresh(state))!;
    expect(refreshed.outputs).toMatchObject({ active: false, publicKey: state.outputs.publicKey });
    const fixed = await engine.up(SELECTOR, { endpoint, selector: "pmg2026", keySize: 2048 }, refreshed);
    expect(fixed.step).toBe("update");
    expect(fixed.state.outputs.active).toBe(true);
    expect(admin().get("dkim_selector")).toBe("pmg2026");
  });

  it("replaces on a new selector or key size, and deactivates only its own selector on delete", async () => {
    const { engine, pmg, endpoint } = bed;
    const first = await engine.up(SELECTOR, { endpoint, selector: "pmg2026", keySize: 2048 });
    const second = await engine.up(SELECTOR, { endpoint, selector: "pmg2027", keySize: 2048 }, first.state);
    expect([second.step, second.replaces]).toEqual(["replace", ["selector"]]);
    expect(admin().get("dkim_selector")).toBe("pmg2027");
    expect(pmg.state.dkimKeys.has("pmg2026")).toBe(true);
    await engine.destroy(second.state);
    expect(admin().has("dkim_selector")).toBe(false);
  });

  it("rejects a bad selector or key size in check", async () => {
    const { engine, endpoint } = bed;
    await expect(engine.up(SELECTOR, { endpoint, selector: "pmg 2026", keySize: 2048 })).rejects.toThrow(
      /selector: must be a selector/,
    );
    await expect(engine.up(SELECTOR, { endpoint, selector: "pmg2026", keySize: 512 })).rejects.toThrow(
      /keySize: must be 1024, 2048/,
    );
  });
});
