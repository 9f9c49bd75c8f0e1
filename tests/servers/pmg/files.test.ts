// Unit tests of the file writers/readers (what a real gateway reads back from /etc/pmg).
import {
  readDomains,
  readMynetworks,
  readTransport,
  writeDomains,
  writeMynetworks,
  writeTransport,
} from "./files";
import { readFetchmailrc, writeFetchmailrc } from "./fetchmailrc";
import { parsePmgConf, writePmgConf, type PmgConf } from "./pmgconf";
import { loadSchema, sectionOptions } from "./api-schema";

const schemas = (() => {
  const idx = loadSchema(9);
  return { mail: sectionOptions(idx, "mail"), admin: sectionOptions(idx, "admin") };
})();

describe("transport map", () => {
  const roundtrip = (
    entries: Record<string, Parameters<typeof writeTransport>[0] extends Map<string, infer V> ? V : never>,
  ) => readTransport(writeTransport(new Map(Object.entries(entries))));

  test("IP hosts and lmtp read back use_mx 0; ports read back as strings", () => {
    const text = writeTransport(
      new Map([
        ["a.example", { host: "10.0.0.1", protocol: "smtp", port: 25, use_mx: 1, comment: "ip" }],
        ["b.example", { host: "mx.example", protocol: "smtp", port: "2525", use_mx: "0", comment: "" }],
        ["c.example", { host: "mx.example", protocol: "lmtp", port: 24, use_mx: 1, comment: "" }],
        ["user@d.example", { host: "ipv6:2001:db8::1", protocol: "smtp", port: 25, use_mx: 1, comment: "" }],
      ]),
    );
    expect(text).toBe(
      "#ip\na.example smtp:[10.0.0.1]:25\nb.example smtp:[mx.example]:2525\nc.example lmtp:inet:mx.example:24\n" +
        "user@d.example smtp:[ipv6:2001:db8::1]:25\n",
    );
    const read = readTransport(text);
    expect(read.get("a.example")).toEqual({
      domain: "a.example",
      protocol: "smtp",
      host: "10.0.0.1",
      port: "25",
      use_mx: 0,
      comment: "ip",
    });
    expect(read.get("c.example")?.use_mx).toBe(0);
    expect(read.get("user@d.example")?.host).toBe("ipv6:2001:db8::1");
  });

  test("a port the reader cannot parse makes the entry vanish", () => {
    expect(
      roundtrip({ "a.example": { host: "mx.example", protocol: "smtp", port: "+25", use_mx: 1 } }).size,
    ).toBe(0);
  });
});

describe("domains and mynetworks", () => {
  test("blank comments read back empty, a newline in a comment loses it", () => {
    const read = readDomains(
      writeDomains(
        new Map([
          ["a.example", { comment: "  " }],
          ["b.example", { comment: "x\ny" }],
        ]),
      ),
    );
    expect([...read.values()]).toEqual([
      { domain: "a.example", comment: "" },
      { domain: "b.example", comment: "" },
    ]);
  });

  test("mynetworks lines carry cidr, network_address, prefix_size and comment", () => {
    const text = writeMynetworks(
      new Map([
        ["192.168.1.5/24", { comment: "lan" }],
        ["2001:DB8::/32", {}],
      ]),
    );
    expect(text).toBe("192.168.1.5/24 #lan\n2001:DB8::/32 #*\n");
    expect(readMynetworks(text).get("192.168.1.5/24")).toEqual({
      cidr: "192.168.1.5/24",
      network_address: "192.168.1.5",
      prefix_size: "24",
      comment: "lan",
    });
  });
});

describe("pmg.conf", () => {
  test("sections keep file order, keys are sorted, booleans written as 0/1, numbers read back", () => {
    const conf: PmgConf = new Map([
      [
        "mail",
        new Map<string, string | number>([
          ["tls", 1],
          ["relay", "mx.example"],
          ["relayport", 2525],
          ["banner", ""],
        ]),
      ],
      ["admin", new Map<string, string | number>([["dkim_sign", 0]])],
    ]);
    const text = writePmgConf(conf, schemas);
    expect(text).toBe(
      "section: mail\n\trelay mx.example\n\trelayport 2525\n\ttls 1\n\nsection: admin\n\tdkim_sign 0\n\n",
    );
    const back = parsePmgConf(text, schemas);
    expect(Object.fromEntries(back.get("mail") ?? [])).toEqual({
      relay: "mx.example",
      relayport: 2525,
      tls: 1,
    });
  });

  test("invalid or unknown values are dropped when parsing", () => {
    const back = parsePmgConf("section: mail\n\trelayport 99999\n\tnope 1\n\tspf\n", schemas);
    expect(Object.fromEntries(back.get("mail") ?? [])).toEqual({ spf: 1 });
  });
});

describe("fetchmailrc", () => {
  test("entries are escaped, defaulted and read back with the file-derived extras", () => {
    const entries = new Map([
      [
        "proxmox0000",
        {
          server: "pop.example",
          protocol: "pop3",
          user: "a b",
          pass: 'p"w',
          target: "x@example.com",
          enable: "1",
        },
      ],
    ]);
    const text = writeFetchmailrc(entries, 9, "127.0.0.1/25");
    expect(text).toContain(
      'poll proxmox0000 via "pop.example"\n protocol pop3 port 110\n interval 1\n user "a\\x20b" pass "p\\x22w"\n to "x@example.com"\n dropdelivered sslproto \'\'\n',
    );
    expect(readFetchmailrc(text).get("proxmox0000")).toEqual({
      id: "proxmox0000",
      enable: 1,
      server: "pop.example",
      protocol: "pop3",
      port: "110",
      interval: "1",
      user: "a b",
      pass: 'p"w',
      target: "x@example.com",
      dropdelivered: 1,
      sslproto: "''",
    });
    expect(writeFetchmailrc(entries, 8, "127.0.0.1/25")).toContain(" dropdelivered\n");
  });

  test("an unknown token below the marker is an error naming the entry", () => {
    const text = '# proxmox settings (Do not delete this marker!!)\npoll x via "a"\n folder INBOX\n';
    expect(() => readFetchmailrc(text)).toThrow("line 3: unexpected token 'folder' inside entry 'x'\n");
  });
});
