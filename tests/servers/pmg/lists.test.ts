// Trusted networks, relay and DKIM-sign domains, transports: validation, texts, read-back.
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

const expect500 = async (p: Promise<{ status: number; reason: string; json?: unknown }>, message: string) => {
  const r = await p;
  expect([r.status, r.reason, r.json]).toEqual([500, message, { data: null, message: `${message}\n` }]);
};

describe("/config/mynetworks", () => {
  test("CIDR format: /7 is rejected, the key is the string as posted", async () => {
    const bad = await c.call("POST", "/config/mynetworks", { form: { cidr: "10.0.0.0/7" } });
    expect([bad.status, bad.reason]).toEqual([400, "Parameter verification failed."]);
    expect(bad.json).toEqual({
      data: null,
      errors: { cidr: "invalid format - value does not look like a valid CIDR network\n" },
      message: "Parameter verification failed.\n",
    });
    await c.ok("POST", "/config/mynetworks", { form: { cidr: "192.168.1.5/24" } });
    await c.ok("POST", "/config/mynetworks", { form: { cidr: "2001:DB8::/32", comment: "v6" } });
    expect(await c.ok("GET", "/config/mynetworks")).toEqual([
      { cidr: "192.168.1.5/24", comment: "" },
      { cidr: "2001:DB8::/32", comment: "v6" },
    ]);
  });

  test("path key with a literal slash or %2F; errors with the lock prefix", async () => {
    await c.ok("POST", "/config/mynetworks", { form: { cidr: "10.0.0.0/8", comment: "lan" } });
    expect(await c.ok("GET", "/config/mynetworks/10.0.0.0/8")).toEqual({
      cidr: "10.0.0.0/8",
      comment: "lan",
    });
    await c.ok("PUT", "/config/mynetworks/10.0.0.0%2F8", { form: { comment: "LAN" } });
    expect(pmg.state.mynetworks.get("10.0.0.0/8")?.comment).toBe("LAN");
    await expect500(
      c.call("POST", "/config/mynetworks", { form: { cidr: "10.0.0.0/8" } }),
      "add trusted network failed: trusted network '10.0.0.0/8' already exists",
    );
    await expect500(
      c.call("GET", "/config/mynetworks/10.9.0.0/16"),
      "trusted network '10.9.0.0/16' does not exist",
    );
    await expect500(
      c.call("PUT", "/config/mynetworks/10.9.0.0/16", { form: { comment: "x" } }),
      "update trusted network failed: trusted network '10.9.0.0/16' does not exist",
    );
    await c.ok("DELETE", "/config/mynetworks/10.0.0.0/8");
    await expect500(
      c.call("DELETE", "/config/mynetworks/10.0.0.0/8"),
      "delete trusted network failed: trusted network '10.0.0.0/8' does not exist",
    );
  });

  test("a path parameter repeated in the body is a duplicate", async () => {
    const r = await c.call("PUT", "/config/mynetworks/10.0.0.0/8", {
      form: { cidr: "10.0.0.0/8", comment: "x" },
    });
    expect(r.json?.errors).toEqual({ cidr: "duplicate parameter (already defined in URI)" });
  });
});

describe("/config/domains and /config/dkim/domains", () => {
  test("transport-domain format, unknown parameter", async () => {
    const r = await c.call("POST", "/config/domains", { form: { domain: "exa_mple.com", colour: "red" } });
    expect(r.json?.errors).toEqual({
      domain: "invalid format - value does not look like a valid transport domain\n",
      colour: "property is not defined in schema and the schema does not allow additional properties",
    });
  });

  test("relay texts and DKIM-sign texts", async () => {
    await c.ok("POST", "/config/domains", { form: { domain: ".example.com", comment: "subs" } });
    await expect500(
      c.call("POST", "/config/domains", { form: { domain: ".example.com" } }),
      "add relay domain failed: Domain '.example.com' already exists",
    );
    await expect500(c.call("GET", "/config/domains/example.org"), "Domain 'example.org' does not exist");
    await expect500(
      c.call("PUT", "/config/domains/example.org", { json: { comment: "" } }),
      "update relay domain failed: Domain 'example.org' does not exist",
    );
    await c.ok("POST", "/config/dkim/domains", { form: { domain: "example.com" } });
    await expect500(
      c.call("POST", "/config/dkim/domains", { form: { domain: "example.com" } }),
      "add DKIM-sign domain failed: Domain 'example.com' already exists",
    );
    await expect500(
      c.call("DELETE", "/config/dkim/domains/example.org"),
      "delete DKIM-sign domain failed: Domain 'example.org' does not exist",
    );
    expect(await c.ok("GET", "/config/domains")).toEqual([{ domain: ".example.com", comment: "subs" }]);
    expect(await c.ok("GET", "/config/dkim/domains")).toEqual([{ domain: "example.com", comment: "" }]);
  });

  test('PUT needs a comment: JSON "" works, a form `comment=` is undefined (Perl split) and missing', async () => {
    await c.ok("POST", "/config/domains", { form: { domain: "example.com", comment: "x" } });
    await c.ok("PUT", "/config/domains/example.com", { json: { comment: "" } });
    const r = await c.call("PUT", "/config/domains/example.com", { form: { comment: "" } });
    expect(r.json?.errors).toEqual({ comment: "property is missing and it is not optional" });
  });

  test("lists are sorted like Perl's sort", async () => {
    for (const d of ["b.example", "B.example", "a.example"])
      await c.ok("POST", "/config/domains", { form: { domain: d } });
    expect(
      ((await c.ok("GET", "/config/domains")) as Array<{ domain: string }>).map((x) => x.domain),
    ).toEqual(["B.example", "a.example", "b.example"]);
  });
});

describe("/config/transport", () => {
  test("read-back normalization: IP host or lmtp gives use_mx 0, port is a string", async () => {
    await c.ok("POST", "/config/transport", { form: { domain: "a.example", host: "10.0.0.1", use_mx: "1" } });
    await c.ok("POST", "/config/transport", {
      form: { domain: "b.example", host: "mx.example", protocol: "lmtp", port: "24" },
    });
    await c.ok("POST", "/config/transport", {
      json: { domain: "user@c.example", host: "mx.example", port: 2525, use_mx: true },
    });
    expect(await c.ok("GET", "/config/transport")).toEqual([
      { domain: "a.example", protocol: "smtp", host: "10.0.0.1", port: "25", use_mx: 0, comment: "" },
      { domain: "b.example", protocol: "lmtp", host: "mx.example", port: "24", use_mx: 0, comment: "" },
      {
        domain: "user@c.example",
        protocol: "smtp",
        host: "mx.example",
        port: "2525",
        use_mx: 1,
        comment: "",
      },
    ]);
  });

  test("validation of host and domain formats", async () => {
    const r = await c.call("POST", "/config/transport", {
      form: { domain: "bad domain", host: "[10.0.0.1]", port: "0" },
    });
    expect(r.json?.errors).toEqual({
      domain: "invalid format - value does not look like a valid transport domain or email address\n",
      host: "invalid format - value does not look like a valid address\n",
      port: "value must have a minimum value of 1",
    });
  });

  test("error texts, including the empty name on PUT of a missing entry", async () => {
    await c.ok("POST", "/config/transport", { form: { domain: "a.example", host: "mx.example" } });
    await expect500(
      c.call("POST", "/config/transport", { form: { domain: "a.example", host: "mx.example" } }),
      "add transport map entry failed: Transport map entry 'a.example' already exists",
    );
    await expect500(
      c.call("GET", "/config/transport/b.example"),
      "Transport map entry 'b.example' does not exist",
    );
    await expect500(
      c.call("PUT", "/config/transport/b.example", { form: { host: "x.example" } }),
      "update transport map entry failed: Transport map entry '' does not exist",
    );
    await expect500(
      c.call("PUT", "/config/transport/a.example"),
      "update transport map entry failed: no options specified",
    );
    await expect500(
      c.call("DELETE", "/config/transport/b.example"),
      "delete transport map entry failed: Transport map entry 'b.example' does not exist",
    );
    await c.ok("PUT", "/config/transport/a.example", { form: { use_mx: "0", comment: "pinned" } });
    expect(await c.ok("GET", "/config/transport/a.example")).toMatchObject({
      use_mx: 0,
      comment: "pinned",
      port: "25",
    });
  });

  test("hand edits in state are read back through the file format", async () => {
    pmg.state.transport.set("h.example", {
      host: "192.0.2.7",
      protocol: "smtp",
      port: 25,
      use_mx: 1,
      comment: "by hand",
    });
    expect(await c.ok("GET", "/config/transport/h.example")).toEqual({
      domain: "h.example",
      protocol: "smtp",
      host: "192.0.2.7",
      port: "25",
      use_mx: 0,
      comment: "by hand",
    });
  });
});
