// CloudflareTxtRecord and CloudflareDestinationAddress, their provider code run in this process
// against the Cloudflare stand-in: adoption, refusal, the live repair, and what never duplicates.
import { provider as address } from "../../../providers/cloudflare/destinationAddress";
import { closeCloudflareClient, parseCloudflareSettings } from "../../../providers/cloudflare/settings";
import { provider as txt, type Inputs, type Outputs } from "../../../providers/cloudflare/txtRecord";
import { configure } from "../../../providers/context";
import { CLOUDFLARE_SPF, txtValue } from "../../servers/cloudflare/model";
import { startCloudflareServer, type CloudflareTestServer } from "../../servers/cloudflare/server";

const MERGED = `"v=spf1 include:_spf.mx.cloudflare.net include:_spf.google.com ~all"`;

describe("the project's Cloudflare resources", () => {
  let cf: CloudflareTestServer;
  const use = (adoptExisting: boolean) => {
    const config: Record<string, string> = {
      "cloudflare:apiToken": cf.apiToken,
      "cloudflare:baseUrl": cf.url,
      "homelab-mail:cloudflareTlsFingerprint": cf.fingerprint,
      "homelab-mail:adoptExisting": String(adoptExisting),
    };
    return configure({ get: (k) => config[k] }, { cloudflare: parseCloudflareSettings });
  };
  const zone = () => cf.model.zones[0];
  const spf = (): Inputs => ({
    zoneId: zone().id,
    name: "example.net",
    kind: "spf",
    content: MERGED,
    ttl: 1,
    comment: "managed by homelab-mail",
  });
  beforeEach(async () => {
    cf = await startCloudflareServer();
    await use(false);
  });
  afterEach(async () => {
    await closeCloudflareClient();
    await cf.close();
  });

  it("takes over the SPF Cloudflare wrote on enable instead of adding a second one", async () => {
    cf.model.enable(zone().id, {});
    const made = await txt.create!(spf());
    expect(made.outs).toMatchObject({ origin: `adopted: ${CLOUDFLARE_SPF}`, content: MERGED });
    expect(
      zone()
        .records.filter((r) => r.type === "TXT" && r.name === "example.net")
        .map((r) => r.content),
    ).toEqual([MERGED]);
  });

  it("sees in diff, without a refresh, that Cloudflare rewrote it, and repairs it in update", async () => {
    const made = await txt.create!(spf());
    const rec = zone().records.find((r) => r.id === made.id)!;
    rec.content = CLOUDFLARE_SPF; // what #6444 reports enable does
    cf.model.createRecord(zone().id, {
      type: "TXT",
      name: "@",
      content: "v=spf1 include:_spf.mx.cloudflare.net -all",
    });
    const diff = await txt.diff!(made.id, made.outs as Outputs, spf());
    expect(diff.changes).toBe(true);
    await txt.update!(made.id, made.outs as Outputs, spf());
    expect(
      zone()
        .records.filter((r) => r.type === "TXT")
        .map((r) => r.content),
    ).toEqual([MERGED]);
    expect((await txt.diff!(made.id, made.outs as Outputs, spf())).changes).toBe(false);
  });

  it("refuses an SPF holding what the declared one lacks, unless adoptExisting, and names the switch", async () => {
    cf.model.createRecord(zone().id, { type: "TXT", name: "@", content: "v=spf1 include:mailgun.org ~all" });
    await expect(txt.create!(spf())).rejects.toThrow(/homelab-mail:adoptExisting true/);
    expect(zone().records).toHaveLength(1);
    await use(true);
    await txt.create!(spf());
    expect(zone().records.map((r) => r.content)).toEqual([MERGED]);
  });

  it("adopts the guide's unquoted DKIM key when it is PMG's, and refuses another key", async () => {
    const key = `v=DKIM1; h=sha256; k=rsa; p=${"A".repeat(300)}`;
    const dkim = (value: string): Inputs => ({
      zoneId: zone().id,
      name: "pmg2026._domainkey.example.net",
      kind: "dkim",
      content: `"${value.slice(0, 255)}" "${value.slice(255)}"`,
      ttl: 1,
      comment: "managed by homelab-mail",
    });
    cf.model.createRecord(zone().id, { type: "TXT", name: "pmg2026._domainkey", content: key });
    await expect(txt.create!(dkim(key.replace("AAAA", "BBBB")))).rejects.toThrow(/differs from the declared/);
    const made = await txt.create!(dkim(key));
    expect(made.outs).toMatchObject({ origin: `adopted: ${key}` });
    expect(zone().records.map((r) => txtValue(r.content))).toEqual([key]);
  });

  it("adopts a destination address the account has (no 100640), and creates a missing one", async () => {
    cf.model.createAddress(cf.accountId, { email: "box@example.com" });
    const adopted = await address.create!({ accountId: cf.accountId, email: "box@example.com" });
    expect(adopted.outs).toMatchObject({ origin: "adopted", verified: "" });
    const made = await address.create!({ accountId: cf.accountId, email: "me@example.com" });
    expect(made.outs).toMatchObject({ origin: "created" });
    expect(cf.model.addresses.map((a) => a.email)).toEqual(["box@example.com", "me@example.com"]);
    cf.model.markVerified("me@example.com");
    expect((await address.read!(made.id, made.outs!)).props).toMatchObject({ verified: expect.any(String) });
  });
});
