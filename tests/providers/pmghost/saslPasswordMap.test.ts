import * as fs from "node:fs";
import { shellCommand } from "../../../providers/pmghost/shell";
import { SASL, startHostBed, type HostBed } from "./bed";

const USER = "lab-service-box@example.com";

describe("SaslPasswordMap through the provider host against a real sshd", () => {
  let hb: HostBed;
  beforeAll(async () => {
    hb = await startHostBed();
  });
  afterAll(() => hb?.close());

  const declared = () => ({ ...hb.target, relayHost: "smtp.gmail.com", relayPort: 587, username: USER });
  const file = (rel = "") => hb.bed.path(`etc/postfix/sasl_passwd${rel}`);
  /** The lookup Postfix's smtp client makes, through the bed's real postmap. */
  const lookup = async (key: string) =>
    (await hb.bed.sh(shellCommand("postmap", "-q", key, "hash:/etc/postfix/sasl_passwd"))).stdout.replace(
      /\n$/,
      "",
    );

  it("runs the whole lifecycle: create, no-op, rotated password, hand edits, delete", async () => {
    const { engine, secrets } = hb;
    const created = await engine.up(SASL, declared());
    expect(created.step).toBe("create");
    expect(created.state.outputs).toMatchObject({
      map: "hash:/etc/postfix/sasl_passwd",
      keys: ["smtp.gmail.com:587", "[smtp.gmail.com]:587"],
      writes: 1,
      lookupOk: true,
    });
    // PMG renders `default_transport = smtp:smtp.gmail.com:587`: that unbracketed next hop is what Postfix looks up.
    expect(await lookup("smtp.gmail.com:587")).toBe(`${USER}:${secrets.smarthost}`);
    expect(await lookup("[smtp.gmail.com]:587")).toBe(`${USER}:${secrets.smarthost}`);
    for (const f of [file(), file(".db")])
      expect([fs.statSync(f).mode & 0o777, fs.statSync(f).uid]).toEqual([0o600, 0]);
    expect((await hb.bed.sh("ls /tmp | grep -c pwned || true")).stdout.trim()).toBe("0");

    const mtime = fs.statSync(file(".db")).mtimeMs;
    const same = await engine.up(SASL, declared(), created.state);
    expect(same.step).toBe("same");
    expect(fs.statSync(file(".db")).mtimeMs).toBe(mtime);

    // The next deployment runs with a rotated password: the map is rewritten and postmapped.
    const rotated = await hb.engineWith({ secrets: { smarthost: "rotated-app-password" } });
    const updated = await rotated.up(SASL, declared(), same.state);
    expect([updated.step, updated.state.outputs.writes]).toEqual(["update", 2]);
    expect(await lookup("smtp.gmail.com:587")).toBe(`${USER}:rotated-app-password`);

    // Hand edits: a changed file, loosened permissions and a deleted .db all show on refresh and are repaired.
    fs.appendFileSync(file(), "evil.example:25 someone:else\n");
    fs.chmodSync(file(), 0o644);
    fs.rmSync(file(".db"));
    const refreshed = (await rotated.refresh(updated.state))!;
    expect(refreshed.outputs).toMatchObject({ lookupOk: false, permissionsOk: false });
    expect(refreshed.outputs.sha256).not.toBe(updated.state.outputs.sha256);
    const repaired = await rotated.up(SASL, declared(), refreshed);
    expect(repaired.step).toBe("update");
    expect(await lookup("evil.example:25")).toBe("");
    expect(await lookup("smtp.gmail.com:587")).toBe(`${USER}:rotated-app-password`);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);

    await rotated.destroy(repaired.state);
    expect([fs.existsSync(file()), fs.existsSync(file(".db"))]).toEqual([false, false]);
    expect(await rotated.refresh(repaired.state)).toBeUndefined();
    await rotated.destroy(repaired.state); // already gone: done
  });

  it("refuses an existing map that differs, saying how to adopt it, and never prints the password", async () => {
    const handMade = `[smtp.gmail.com]:587 ${USER}:hand-made-password\n`;
    fs.writeFileSync(file(), handMade, { mode: 0o600 });
    const err = await hb.engine.up(SASL, declared()).catch((e: Error) => e);
    expect(String(err)).toMatch(
      /sasl_passwd on .* already exists and differs[\s\S]*pulumi config set homelab-mail:adoptExisting true/,
    );
    expect(String(err)).not.toContain("hand-made-password");
    expect(fs.readFileSync(file(), "utf8")).toBe(handMade);
    fs.rmSync(file());
  });

  it("rejects a login Postfix would split, before connecting", async () => {
    await hb.bed.settle();
    const before = hb.bed.counters.connections;
    await expect(
      hb.engine.check(SASL, { ...declared(), username: "a:b@example.com", relayPort: 0 }),
    ).rejects.toThrow(/relayPort: must be a whole number[\s\S]*username: must not contain ':'/);
    await hb.bed.settle();
    expect(hb.bed.counters.connections).toBe(before);
  });
});
