import { KIND } from "../../../providers/unifi/dnsRecord";
import { startUnifiBed, type UnifiBed } from "./bed";

const MODES = [
  ["v2", { version: "9.4.19" }, "v2"],
  ["v2 without PUT", { version: "9.4.19", v2Put: false }, "v2"],
  ["integration", { version: "10.1.78" }, "integration"],
] as const;

// One console per mode; the hosts are shared (see bed.ts).
let bed: UnifiBed;
beforeAll(async () => {
  bed = await startUnifiBed(
    MODES.map(([, opts]) => opts),
    { adopting: true },
  );
});
afterAll(() => bed.close());

describe.each(MODES.map(([mode, , api], i) => [mode, api, i] as const))(
  "UnifiDnsRecord through the provider host (%s)",
  (mode, api, i) => {
    const unifi = () => bed.consoles[i];
    beforeEach(() => unifi().reset());

    const pmg = (extra: Record<string, unknown> = {}) => ({
      endpoint: unifi().url,
      name: "pmg.lab.local",
      type: "A",
      value: "192.0.2.10",
      ...extra,
    });
    const records = () => unifi().store.records.map((r) => [r.recordType, r.key, r.value]);
    const writes = () => unifi().counters.dnsmasqReloads;

    it("runs a record's whole lifecycle, never holding two records of one name", async () => {
      const { engine } = bed;
      const created = await engine.up(KIND, pmg());
      expect(created.state.id).toBe("default/pmg.lab.local/A");
      expect(created.state.outputs).toMatchObject({
        ...pmg(),
        site: "default",
        enabled: true,
        api,
        recordId: expect.any(String),
      });
      expect(records()).toEqual([["A", "pmg.lab.local", "192.0.2.10"]]);

      const same = await engine.up(KIND, pmg(), created.state);
      expect(same.step).toBe("same");
      expect(writes()).toBe(1);

      const updated = await engine.up(KIND, pmg({ value: "192.0.2.11", ttl: 600 }), same.state);
      expect(updated.step).toBe("update");
      expect(updated.state.outputs).toMatchObject({ value: "192.0.2.11", ttl: 600 });
      expect(updated.state.outputs.recordId).toBe(unifi().store.records[0][api === "v2" ? "v2Id" : "uuid"]);
      // Without PUT the record was deleted and re-created: a new id, kept in state.
      expect(updated.state.outputs.recordId !== created.state.outputs.recordId).toBe(
        mode === "v2 without PUT",
      );
      expect(records()).toEqual([["A", "pmg.lab.local", "192.0.2.11"]]);

      const renamed = await engine.up(
        KIND,
        pmg({ name: "PMG2.lab.local.", value: "192.0.2.11", ttl: 600 }),
        updated.state,
      );
      expect([renamed.step, renamed.replaces]).toEqual(["replace", ["name"]]);
      expect(records()).toEqual([["A", "pmg2.lab.local", "192.0.2.11"]]);

      const cname = await engine.up(
        KIND,
        pmg({ name: "pmg2.lab.local", type: "CNAME", value: "mail.lab.local" }),
        renamed.state,
      );
      expect([cname.step, cname.replaces]).toEqual(["replace", ["type"]]);
      expect(records()).toEqual([["CNAME", "pmg2.lab.local", "mail.lab.local"]]);
      expect(unifi().store.peakSameName).toBe(1);

      await engine.destroy(cname.state);
      expect(records()).toEqual([]);
      await engine.destroy(cname.state); // already gone: done
    });

    it("adopts an identical record made by hand, without writing", async () => {
      const hand = unifi().store.addByHand({
        key: "pmg.lab.local",
        type: "A",
        value: "192.0.2.10",
        ttl: 300,
      });
      const { state } = await bed.engine.up(KIND, pmg());
      expect(state.outputs).toMatchObject({ recordId: api === "v2" ? hand.v2Id : hand.uuid, ttl: 300 });
      expect(writes()).toBe(0);
      expect(unifi().store.records).toHaveLength(1);
    });

    it("refuses a differing record made by hand, and overwrites it only when told to", async () => {
      unifi().store.addByHand({ key: "pmg.lab.local", type: "A", value: "10.0.0.9" });
      await expect(bed.engine.up(KIND, pmg())).rejects.toThrow(
        /A record pmg\.lab\.local on .* already exists and differs \(value is "10\.0\.0\.9", declared "192\.0\.2\.10"\)\. Nothing was changed\. .*pulumi config set homelab-mail:adoptExisting true/,
      );
      expect(records()).toEqual([["A", "pmg.lab.local", "10.0.0.9"]]);
      expect(writes()).toBe(0);

      const { state } = await (await bed.adopting()).up(KIND, pmg());
      expect(state.outputs.value).toBe("192.0.2.10");
      expect(records()).toEqual([["A", "pmg.lab.local", "192.0.2.10"]]);
      expect(unifi().store.peakSameName).toBe(1);
    });

    it("refuses where duplicates already stand, or a CNAME holds the name, even when adopting", async () => {
      const adopting = await bed.adopting();
      unifi().store.addByHand({ key: "pmg.lab.local", type: "A", value: "192.0.2.10" });
      unifi().store.addByHand({ key: "pmg.lab.local", type: "A", value: "192.0.2.12" });
      await expect(adopting.up(KIND, pmg())).rejects.toThrow(/already holds 2 of them .* Delete all but one/);
      unifi().store.addByHand({ key: "mail.lab.local", type: "CNAME", value: "pmg.lab.local" });
      await expect(adopting.up(KIND, pmg({ name: "mail.lab.local" }))).rejects.toThrow(
        /CNAME mail\.lab\.local -> pmg\.lab\.local already exists/,
      );
      expect(writes()).toBe(0);
    });

    it("shows hand edits on refresh and converges them on the next up", async () => {
      const { engine } = bed;
      const server = unifi();
      const { state } = await engine.up(KIND, pmg());
      Object.assign(server.store.records[0], { value: "192.0.2.99", enabled: false });
      const refreshed = (await engine.refresh(state))!;
      expect(refreshed.outputs).toMatchObject({ value: "192.0.2.99", enabled: false });
      expect(refreshed.inputs).toMatchObject({ value: "192.0.2.99", enabled: false });
      expect(refreshed.inputs.recordId).toBeUndefined();

      const again = await engine.up(KIND, pmg(), refreshed);
      expect(again.step).toBe("update");
      expect(records()).toEqual([["A", "pmg.lab.local", "192.0.2.10"]]);
      expect(server.store.records[0].enabled).toBe(true);

      server.store.records.length = 0;
      expect(await engine.refresh(again.state)).toBeUndefined();
    });

    it("puts back a record deleted by hand when an update finds it missing", async () => {
      const { state } = await bed.engine.up(KIND, pmg());
      unifi().store.records.length = 0;
      const updated = await bed.engine.up(KIND, pmg({ value: "192.0.2.11" }), state);
      expect(updated.step).toBe("update");
      expect(records()).toEqual([["A", "pmg.lab.local", "192.0.2.11"]]);
    });

    it("adopts what its own create made when the answer to the POST is lost", async () => {
      unifi().faults.dropAfterHandlingNext(1, "POST");
      const { state } = await bed.engine.up(KIND, pmg());
      expect(records()).toEqual([["A", "pmg.lab.local", "192.0.2.10"]]);
      expect(state.outputs.recordId).toBe(unifi().store.records[0][api === "v2" ? "v2Id" : "uuid"]);
    });

    it("rides out throttling without a second record", async () => {
      unifi().faults.throttleNext(2, 0);
      const { state } = await bed.engine.up(KIND, pmg());
      expect(state.outputs.value).toBe("192.0.2.10");
      expect(unifi().store.records).toHaveLength(1);
    });
  },
);
