// pmg.conf sections (mail, admin), DKIM selector and fetchmail.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { dkimRecord } from "./handlers/dkim";
import { startPmgServer, type PmgTestServer } from "./server";
import { rootClient, type TestClient } from "./test-client";

let pmg: PmgTestServer;
let c: TestClient;

beforeAll(async () => {
  pmg = await startPmgServer({ authFailureDelayMs: 5 });
  c = await rootClient(pmg);
});
beforeEach(() => pmg.state.clear());
afterAll(async () => {
  await c.close();
  await pmg.close();
});

const mail = async () => (await c.ok("GET", "/config/mail")) as Record<string, unknown>;

describe("/config/mail and /config/admin", () => {
  test("GET returns only explicit keys plus digest; numbers for integer and boolean options", async () => {
    expect(Object.keys(await mail())).toEqual(["digest"]);
    await c.ok("PUT", "/config/mail", {
      form: { relay: "mx.example.com", relayport: "2525", tls: "1", banner: "Hi" },
    });
    const m = await mail();
    expect(m).toMatchObject({ relay: "mx.example.com", relayport: 2525, tls: 1, banner: "Hi" });
    expect(m.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(pmg.files().pmgConf).toContain(
      "section: mail\n\tbanner Hi\n\trelay mx.example.com\n\trelayport 2525\n\ttls 1\n",
    );
  });

  test("delete runs before sets; unknown keys in delete are ignored", async () => {
    await c.ok("PUT", "/config/mail", { form: { relay: "a.example", tls: "1" } });
    await c.ok("PUT", "/config/mail", { form: { delete: "tls,relay;nosuchkey", relay: "b.example" } });
    expect(await mail()).toMatchObject({ relay: "b.example" });
    expect((await mail()).tls).toBeUndefined();
    const bad = await c.call("PUT", "/config/mail", { form: { delete: "relay,x" } });
    expect(bad.json?.errors).toEqual({ delete: "invalid format - invalid configuration ID 'x'\n" });
  });

  test("digest mismatch and no options", async () => {
    const { digest } = await mail();
    await c.ok("PUT", "/config/mail", { form: { spf: "0", digest: String(digest) } });
    const stale = await c.call("PUT", "/config/mail", { form: { spf: "1", digest: String(digest) } });
    expect([stale.status, stale.reason]).toEqual([
      500,
      "update config section 'mail' failed: detected modified configuration - file changed by other user? Try again.",
    ]);
    const none = await c.call("PUT", "/config/admin", { form: { digest: "" } });
    expect(none.json?.message).toBe("update config section 'admin' failed: no options specified\n");
  });

  test("hand edits change the digest", async () => {
    const before = (await mail()).digest;
    pmg.state.mail.set("relay", "hand.example");
    const after = await mail();
    expect(after.relay).toBe("hand.example");
    expect(after.digest).not.toBe(before);
  });

  test("values with a line feed pass the schema but fail in the handler", async () => {
    const r = await c.call("PUT", "/config/mail", { json: { banner: "a\nb" } });
    expect(r.json?.message).toBe("update config section 'mail' failed: property contains a line feed\n");
  });

  test("boolean form value 'true' is rejected; JSON true is accepted and stored as 1", async () => {
    const r = await c.call("PUT", "/config/admin", { form: { dkim_sign: "true" } });
    expect(r.json?.errors).toEqual({ dkim_sign: "type check ('boolean') failed - got 'true'" });
    await c.ok("PUT", "/config/admin", { json: { dkim_sign: true, "dkim-use-domain": "header" } });
    expect(await c.ok("GET", "/config/admin")).toMatchObject({ dkim_sign: 1, "dkim-use-domain": "header" });
  });

  test('an empty form value is undefined (Perl\'s split): 500 in the handler; JSON "" fails the format', async () => {
    const form = await c.call("PUT", "/config/mail", { form: { relay: "" } });
    expect(form.json?.message).toBe(
      "update config section 'mail' failed: got undefined value for option 'relay'\n",
    );
    const json = await c.call("PUT", "/config/mail", { json: { relay: "" } });
    expect(json.json?.errors).toEqual({
      relay: "invalid format - value does not look like a valid address: \n",
    });
  });

  test("query parameters are merged over body parameters", async () => {
    await c.ok("PUT", "/config/mail", { form: { relay: "body.example" }, query: "relay=query.example" });
    expect((await mail()).relay).toBe("query.example");
  });
});

/** Concatenates the quoted strings of the zone snippet: the TXT value. */
function txtValue(record: string): string {
  return [...record.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join("");
}

describe("DKIM selector", () => {
  test("GET before any selector is {}; POST generates, activates and GET gives the record", async () => {
    expect(await c.ok("GET", "/config/dkim/selector")).toEqual({});
    await c.ok("POST", "/config/dkim/selector", { form: { selector: "mail2024", keysize: "1024" } });
    expect(await c.ok("GET", "/config/admin")).toMatchObject({ dkim_selector: "mail2024" });
    const info = (await c.ok("GET", "/config/dkim/selector")) as {
      selector: string;
      keysize: number;
      record: string;
    };
    expect(info.selector).toBe("mail2024");
    expect(info.keysize).toBe(1024);
    expect(info.record).toMatch(/^mail2024\._domainkey\tIN\tTXT\t\( "v=DKIM1; h=sha256; k=rsa; "\n\t {2}"p=/);
    expect(info.record.endsWith('" )  ; ----- DKIM key mail2024')).toBe(true);
    const txt = txtValue(info.record);
    expect(txt.startsWith("v=DKIM1; h=sha256; k=rsa; p=")).toBe(true);
    const fromDns = createPublicKey({
      key: Buffer.from(txt.split("p=")[1], "base64"),
      format: "der",
      type: "spki",
    });
    const stored = createPublicKey(createPrivateKey(pmg.state.dkimKeys.get("mail2024") ?? ""));
    expect(fromDns.equals(stored)).toBe(true);
    expect(await c.ok("GET", "/config/dkim/selectors")).toEqual([{ selector: "mail2024" }]);
  });

  test("same size reuses the key, another size fails, force rotates", async () => {
    await c.ok("POST", "/config/dkim/selector", { form: { selector: "s1", keysize: "1024" } });
    const first = pmg.state.dkimKeys.get("s1");
    await c.ok("POST", "/config/dkim/selector", { form: { selector: "s1", keysize: "1024" } });
    expect(pmg.state.dkimKeys.get("s1")).toBe(first);
    const r = await c.call("POST", "/config/dkim/selector", { form: { selector: "s1", keysize: "2048" } });
    expect(r.reason).toBe(
      "unable to set DKIM key (s1 - 2048 bits): /etc/pmg/dkim/s1.private already exists, but has different size (1024 bits)",
    );
    await c.ok("POST", "/config/dkim/selector", { form: { selector: "s1", keysize: "1024", force: "1" } });
    expect(pmg.state.dkimKeys.get("s1")).not.toBe(first);
  });

  test("a hand-placed key is adopted; an unreadable one gives {selector}", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2680 });
    pmg.state.dkimKeys.set("imported", privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    await c.ok("POST", "/config/dkim/selector", { form: { selector: "imported", keysize: "2680" } });
    const info = (await c.ok("GET", "/config/dkim/selector")) as { record: string };
    // a 2680-bit key's base64 is exactly 500 characters: an empty "" string precedes " )"
    expect(info.record).toContain('"\n\t  "" )  ; ----- DKIM key imported');
    pmg.state.dkimKeys.set("imported", "garbage");
    expect(await c.ok("GET", "/config/dkim/selector")).toEqual({ selector: "imported" });
  });

  test("record chunking is 250 characters", () => {
    const rec = dkimRecord("s", "A".repeat(260));
    expect(rec).toBe(
      `s._domainkey\tIN\tTXT\t( "v=DKIM1; h=sha256; k=rsa; "\n\t  "p=${"A".repeat(250)}"\n\t  "${"A".repeat(10)}" )  ; ----- DKIM key s`,
    );
  });

  test("keysize below 1024 and bad selectors are 400", async () => {
    const r = await c.call("POST", "/config/dkim/selector", { form: { selector: "a_b", keysize: "512" } });
    expect(r.json?.errors).toEqual({
      selector: "invalid format - value does not look like a valid DNS name\n",
      keysize: "value must have a minimum value of 1024",
    });
  });
});

describe("/config/fetchmail", () => {
  const account = {
    server: "imap.example.com",
    protocol: "imap",
    user: "me",
    pass: "s3cret",
    target: "me@example.com",
  };

  test("server-assigned ids, first free slot reused", async () => {
    expect(await c.ok("POST", "/config/fetchmail", { form: account })).toBe("proxmox0000");
    expect(await c.ok("POST", "/config/fetchmail", { form: account })).toBe("proxmox0001");
    await c.ok("DELETE", "/config/fetchmail/proxmox0000");
    expect(await c.ok("POST", "/config/fetchmail", { form: account })).toBe("proxmox0000");
    const r = await c.call("POST", "/config/fetchmail", { form: { ...account, id: "mine" } });
    expect(r.json?.errors).toEqual({
      id: "property is not defined in schema and the schema does not allow additional properties",
    });
  });

  test("GET shape: clear-text pass, strings for port/interval, file-derived extras", async () => {
    const id = (await c.ok("POST", "/config/fetchmail", {
      form: { ...account, ssl: "1", keep: "1" },
    })) as string;
    expect(await c.ok("GET", `/config/fetchmail/${id}`)).toEqual({
      id,
      enable: 0,
      server: "imap.example.com",
      protocol: "imap",
      port: "993",
      interval: "1",
      user: "me",
      pass: "s3cret",
      target: "me@example.com",
      dropdelivered: 1,
      ssl: 1,
      keep: 1,
    });
    await c.ok("PUT", `/config/fetchmail/${id}`, { form: { ssl: "0", enable: "1" } });
    expect(await c.ok("GET", `/config/fetchmail/${id}`)).toMatchObject({
      enable: 1,
      port: "993",
      sslproto: "''",
    });
  });

  test("errors, with the 'fechtmail' typo", async () => {
    const get = await c.call("GET", "/config/fetchmail/proxmox0042");
    expect(get.reason).toBe("Fetchmail entry 'proxmox0042' does not exist");
    const put = await c.call("PUT", "/config/fetchmail/proxmox0042", { form: { enable: "1" } });
    expect(put.reason).toBe(
      "update fechtmail configuration failed: Fetchmail entry 'proxmox0042' does not exist",
    );
    const del = await c.call("DELETE", "/config/fetchmail/proxmox0042");
    expect(del.reason).toBe(
      "delete fechtmail configuration failed: Fetchmail entry 'proxmox0042' does not exist",
    );
  });
});
