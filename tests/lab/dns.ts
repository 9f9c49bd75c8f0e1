/**
 * The lab's DNS: Debian's BIND on 127.0.0.1:53 inside the lab's network namespace (every lab host's
 * resolver), authoritative for what the deployment declared: the TXT records the program created
 * in Cloudflare (SPF, DKIM, DMARC, served exactly as their `content`), the UniFi console's internal
 * A records, and gmail.com's two names at the lab's "Gmail".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startDaemon, type Daemon } from "../verify/bed/daemon";
import { tool } from "../verify/bed/tools";
import { LAB } from "./addresses";
import { formatTxtContent } from "../../lib/records";
import type { CloudflareTestServer } from "../servers/cloudflare/server";
import { txtValue } from "../servers/cloudflare/model";
import type { LabNet } from "./netns";

export interface Rr {
  readonly name: string;
  readonly type: "A" | "TXT" | "MX";
  /** Zone-file text of the data: an address, or quoted strings as Cloudflare's `content`. */
  readonly data: string;
}

/** The TXT and MX records the Cloudflare stand-in holds after the deployment, as Cloudflare serves them. */
export function cloudflareRecords(cf: CloudflareTestServer): Rr[] {
  return cf.model.zones.flatMap((z) =>
    z.records.flatMap((r): Rr[] => {
      if (r.type === "TXT")
        return [{ name: r.name, type: "TXT", data: formatTxtContent(txtValue(r.content)) }];
      // Email Routing's MX records (route1..3.mx.cloudflare.net), which verify's routing check reads.
      if (r.type === "MX") return [{ name: r.name, type: "MX", data: `${r.priority ?? 10} ${r.content}.` }];
      return [];
    }),
  );
}

function zoneText(origin: string, rrs: Rr[]): string {
  return [
    "$TTL 60",
    `$ORIGIN ${origin}.`,
    `@ IN SOA ns.${origin}. hostmaster.${origin}. 1 60 60 600 60`,
    `@ IN NS ns.${origin}.`,
    `ns IN A ${LAB.dns}`,
    ...rrs.map((r) => `${r.name === origin ? "@" : r.name + "."} IN ${r.type} ${r.data}`),
    "",
  ].join("\n");
}

export interface LabDns {
  readonly daemon: Daemon;
  /** The records served, by zone. */
  readonly zones: Record<string, Rr[]>;
  stop(): Promise<void>;
}

export async function startLabDns(o: { dir: string; net: LabNet; records: Rr[] }): Promise<LabDns> {
  fs.mkdirSync(o.dir, { recursive: true });
  const all: Rr[] = [
    ...o.records,
    { name: "smtp.gmail.com", type: "A", data: LAB.gmail },
    { name: "imap.gmail.com", type: "A", data: LAB.gmail },
  ];
  const origins = ["example.net", "example.org", "gmail.com", "lab.local"];
  const zones: Record<string, Rr[]> = {};
  for (const origin of origins)
    zones[origin] = all.filter((r) => r.name === origin || r.name.endsWith(`.${origin}`));
  const unplaced = all.filter((r) => !origins.some((z) => zones[z].includes(r)));
  if (unplaced.length) throw new Error(`lab DNS: no zone for ${unplaced.map((r) => r.name).join(", ")}`);
  const decls = origins.map((z) => {
    const file = path.join(o.dir, `${z}.zone`);
    fs.writeFileSync(file, zoneText(z, zones[z]));
    return `zone "${z}" { type primary; file "${file}"; };`;
  });
  const conf = path.join(o.dir, "named.conf");
  fs.writeFileSync(
    conf,
    [
      "options {",
      `  directory "${o.dir}";`,
      `  pid-file "${path.join(o.dir, "named.pid")}";`,
      `  session-keyfile "${path.join(o.dir, "session.key")}";`,
      `  managed-keys-directory "${o.dir}";`,
      `  listen-on port 53 { ${LAB.dns}; };`,
      "  listen-on-v6 { none; };",
      "  recursion no;",
      "  dnssec-validation no;",
      "};",
      "controls { };",
      ...decls,
      "",
    ].join("\n"),
  );
  // named refuses to start on a zone file it cannot parse: checked first, for a clear message.
  const check = await o.net.exec([tool("named-checkconf") ?? "named-checkconf", "-z", conf]);
  if (check.code !== 0) throw new Error(`lab DNS: ${check.stdout}${check.stderr}`);
  const named = tool("named") ?? "named";
  let binary = named;
  if (
    fs.existsSync("/sys/module/apparmor/parameters/enabled") &&
    fs.readFileSync("/sys/module/apparmor/parameters/enabled", "utf8").startsWith("Y")
  ) {
    // Debian's AppArmor profile confines /usr/sbin/named to /etc/bind (as tests/verify/bed/bind.ts).
    binary = path.join(o.dir, "named");
    fs.copyFileSync(named, binary);
    fs.chmodSync(binary, 0o755);
  }
  const daemon = await startDaemon(
    "named (lab)",
    [...o.net.enter, binary, "-g", "-n", "1", "-c", conf],
    async () => {
      try {
        (await o.net.connect(LAB.dns, 53)).destroy();
        return true;
      } catch {
        return false;
      }
    },
  );
  return { daemon, zones, stop: () => daemon.stop() };
}
