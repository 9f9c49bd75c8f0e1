import * as pulumi from "@pulumi/pulumi";
import type { UnifiConfig } from "../../lib/config";

interface Seen {
  type: string;
  name: string;
  parent?: string;
  inputs: Record<string, unknown>;
}

/** Builds a UnifiDns component under mocks and records what it registers. */
async function build(unifi: UnifiConfig): Promise<Seen[]> {
  const seen: Seen[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        seen.push({ type: args.type, name: args.name, inputs: args.inputs });
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, api: "v2", recordId: "0123456789abcdef01234567" },
        };
      },
      call: (args) => args.inputs,
    },
    "homelab-mail",
    "homelab",
    false,
  );
  const { UnifiDns } = await import("../../components/UnifiDns");
  const dns = new UnifiDns("lab", { unifi });
  const ids = [dns.urn, ...Object.values(dns.records).map((r) => r.id)];
  await new Promise<void>((resolve) => pulumi.all(ids).apply(() => resolve()));
  return seen;
}

describe("UnifiDns", () => {
  const unifi: UnifiConfig = {
    endpoint: "https://192.0.2.1",
    site: "default",
    zone: "lab.local",
    records: [
      { name: "pmg.lab.local", type: "A", value: "192.0.2.10" },
      { name: "mail.lab.local", type: "A", value: "192.0.2.20", ttl: 300 },
      { name: "webmail.lab.local", type: "CNAME", value: "mail.lab.local" },
    ],
  };

  it("registers one record per declared record, named by type and name, not by position", async () => {
    const seen = await build(unifi);
    const records = seen.filter((s) => s.type === "pulumi-nodejs:dynamic/unifi:UnifiDnsRecord");
    const byName = (n: string) => records.find((r) => r.name === n)!;
    expect(records.map((r) => r.name).sort()).toEqual([
      "lab-a-mail.lab.local",
      "lab-a-pmg.lab.local",
      "lab-cname-webmail.lab.local",
    ]);
    expect(byName("lab-a-mail.lab.local").inputs).toMatchObject({
      endpoint: "https://192.0.2.1",
      site: "default",
      name: "mail.lab.local",
      type: "A",
      value: "192.0.2.20",
      ttl: 300,
    });
    expect(byName("lab-a-pmg.lab.local").inputs.ttl).toBeUndefined();
    expect(seen.filter((s) => s.type === "homelab:unifi:UnifiDns").map((s) => s.name)).toEqual(["lab"]);
  });

  it("registers no record for an empty list", async () => {
    const seen = await build({ ...unifi, records: [] });
    expect(seen.map((s) => s.type)).toEqual(["homelab:unifi:UnifiDns"]);
  });
});
