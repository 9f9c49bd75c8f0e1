import * as fs from "node:fs";
import * as path from "node:path";
import { BEGIN } from "../../../providers/pmghost/templateBlock";
import { startHostBed, TEMPLATE, type HostBed } from "./bed";

const PARAMS = {
  smtp_sasl_auth_enable: "yes",
  smtp_sasl_password_maps: "hash:/etc/postfix/sasl_passwd",
  smtp_sasl_security_options: "noanonymous",
  smtp_tls_security_level: "encrypt",
  smtp_tls_CAfile: "/etc/ssl/certs/ca-certificates.crt",
};
const DEFAULT = fs.readFileSync(path.join(__dirname, "../../servers/pmghost/templates/main.cf.in"), "utf8");

describe("PostfixTemplateBlock through the provider host against a real sshd", () => {
  let hb: HostBed;
  beforeAll(async () => {
    hb = await startHostBed();
  });
  afterAll(() => hb?.close());

  const override = () => hb.bed.path("etc/pmg/templates/main.cf.in");
  const upstream = () => hb.bed.path("var/lib/pmg/templates/main.cf.in");
  const blocks = () =>
    fs
      .readFileSync(override(), "utf8")
      .split("\n")
      .filter((l) => l === BEGIN).length;
  const syncs = () => hb.bed.calls("pmgconfig").length;

  it("copies PMG's default, adds the block once, keeps it converged, and takes away exactly what it added", async () => {
    const { engine } = hb;
    expect(fs.existsSync(override())).toBe(false);
    const created = await engine.up(TEMPLATE, { ...hb.target, parameters: PARAMS });
    expect(created.state.outputs).toMatchObject({ writes: 1, createdOverride: true, upstreamChanged: false });
    expect(fs.readFileSync(override(), "utf8").startsWith(DEFAULT)).toBe(true);
    expect(blocks()).toBe(1);

    const same = await engine.up(TEMPLATE, { ...hb.target, parameters: { ...PARAMS } }, created.state);
    expect(same.step).toBe("same");

    const changed = await engine.up(
      TEMPLATE,
      { ...hb.target, parameters: { ...PARAMS, smtp_tls_security_level: "verify" } },
      same.state,
    );
    expect([changed.step, changed.state.outputs.writes, blocks()]).toEqual(["update", 2, 1]);

    // Edited inside the block by hand: refresh shows it, up restores it.
    fs.writeFileSync(
      override(),
      fs
        .readFileSync(override(), "utf8")
        .replace("smtp_sasl_auth_enable = yes", "smtp_sasl_auth_enable = no"),
    );
    const refreshed = (await engine.refresh(changed.state))!;
    expect(refreshed.outputs.parameters).toMatchObject({ smtp_sasl_auth_enable: "no" });
    const restored = await engine.up(
      TEMPLATE,
      { ...hb.target, parameters: { ...PARAMS, smtp_tls_security_level: "verify" } },
      refreshed,
    );
    expect([restored.step, restored.state.outputs.writes, blocks()]).toEqual(["update", 3, 1]);

    // Deleted: the block goes, and so does the copy, which is again exactly PMG's default; one sync renders it.
    const before = syncs();
    await engine.destroy(restored.state);
    expect(fs.existsSync(override())).toBe(false);
    expect(syncs()).toBe(before + 1);
    expect((await hb.bed.sh("postconf -h smtp_sasl_auth_enable")).stdout.trim()).toBe("no");
    await engine.destroy(restored.state); // already gone: done
  });

  it("keeps an existing override and its local lines, and leaves it byte-identical after delete", async () => {
    fs.mkdirSync(path.dirname(override()), { recursive: true });
    const local = `${DEFAULT}\n# local: bigger messages\nmessage_size_limit = 52428800\n`;
    fs.writeFileSync(override(), local);
    const { state } = await hb.engine.up(TEMPLATE, { ...hb.target, parameters: PARAMS });
    expect(state.outputs.createdOverride).toBe(false);
    expect(fs.readFileSync(override(), "utf8").startsWith(local)).toBe(true);

    // A block of ours found by a create (state lost) that says something else is refused, not overwritten.
    await expect(
      hb.engine.up(TEMPLATE, { ...hb.target, parameters: { ...PARAMS, smtp_sasl_auth_enable: "no" } }),
    ).rejects.toThrow(
      /managed block in \/etc\/pmg\/templates\/main\.cf\.in on .* already exists and differs in smtp_sasl_auth_enable[\s\S]*adoptExisting/,
    );

    fs.rmSync(override());
    fs.writeFileSync(override(), local); // the block removed by hand: gone, and the next up adds it again
    expect(await hb.engine.refresh(state)).toBeUndefined();
    const again = await hb.engine.up(TEMPLATE, { ...hb.target, parameters: PARAMS });
    expect(blocks()).toBe(1);
    await hb.engine.destroy(again.state);
    expect(fs.readFileSync(override(), "utf8")).toBe(local);
    fs.rmSync(override());
  });

  it("reports a changed default template upstream without touching the override", async () => {
    const { state } = await hb.engine.up(TEMPLATE, { ...hb.target, parameters: PARAMS });
    const ours = fs.readFileSync(override(), "utf8");
    fs.appendFileSync(upstream(), "# a newer PMG package\nsmtputf8_autodetect_classes = all\n");
    try {
      const refreshed = (await hb.engine.refresh(state))!;
      expect(refreshed.outputs).toMatchObject({
        upstreamChanged: true,
        baseSha256: state.outputs.baseSha256,
      });
      const up = await hb.engine.up(TEMPLATE, { ...hb.target, parameters: PARAMS }, refreshed);
      expect(up.step).toBe("same");
      expect(fs.readFileSync(override(), "utf8")).toBe(ours);
      // Deleting keeps the now-stale copy (it is no longer PMG's default) without the block.
      await hb.engine.destroy(refreshed);
      expect(fs.readFileSync(override(), "utf8")).toBe(DEFAULT);
    } finally {
      fs.writeFileSync(upstream(), DEFAULT);
      fs.rmSync(override(), { force: true });
    }
  });

  it("rejects a Template Toolkit directive or a second line in a value, before connecting", async () => {
    await hb.bed.settle();
    const before = hb.bed.counters.connections;
    const bad = {
      ...hb.target,
      parameters: { smtp_sasl_auth_enable: "[% pmg.mail.relay %]", relayhost: "a\nb" },
    };
    const err = await hb.engine.check(TEMPLATE, bad).catch((e: Error) => e);
    expect(String(err)).toMatch(/parameters\.smtp_sasl_auth_enable: must not contain \[% or %\]/);
    expect(String(err)).toMatch(/parameters\.relayhost: must be one line/);
    await hb.bed.settle();
    expect(hb.bed.counters.connections).toBe(before);
  });
});
