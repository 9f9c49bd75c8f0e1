// BIND as the DNS server under test, from Debian (`named -g -c <conf> -p <port>`), authoritative
// for the zones it is given, on 127.0.0.1 and a high port. The bed runs two: one with the healthy
// records and one with deliberately broken ones (views cannot tell them apart by port, and a
// second loopback address would mean changing the machine's interfaces).
import * as fs from "node:fs";
import * as path from "node:path";
import { Resolver } from "node:dns/promises";
import { startDaemon, type Daemon } from "./daemon";
import { tool } from "./tools";

/** Zone name → zone file text. */
export type Zones = Record<string, string>;

export interface BindOptions {
  readonly dir: string;
  readonly port: number;
  readonly zones: Zones;
}

export async function startBind(o: BindOptions): Promise<Daemon> {
  fs.mkdirSync(o.dir, { recursive: true });
  const zones = Object.entries(o.zones).map(([zone, text]) => {
    const file = path.join(o.dir, `${zone}.zone`);
    fs.writeFileSync(file, text);
    return `zone "${zone}" { type primary; file "${file}"; };`;
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
      `  listen-on port ${o.port} { 127.0.0.1; };`,
      "  listen-on-v6 { none; };",
      "  recursion no;",
      "  dnssec-validation no;",
      "};",
      // No control channel: it would want /etc/bind/rndc.key and port 953.
      "controls { };",
      ...zones,
      "",
    ].join("\n"),
  );
  const resolver = new Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([`127.0.0.1:${o.port}`]);
  const first = Object.keys(o.zones)[0];
  return startDaemon(
    `named (${path.basename(o.dir)})`,
    [namedBinary(o.dir), "-g", "-n", "1", "-c", conf, "-p", String(o.port)],
    async () => (await resolver.resolveSoa(first)) !== undefined,
  );
}

/**
 * Debian's AppArmor profile for /usr/sbin/named confines it to /etc/bind and /var/cache/bind, so on
 * a machine with AppArmor on, the bed runs a copy from its own directory, which no profile matches.
 */
function namedBinary(dir: string): string {
  const named = tool("named") ?? "named";
  let apparmor = "";
  try {
    apparmor = fs.readFileSync("/sys/module/apparmor/parameters/enabled", "utf8");
  } catch {
    return named;
  }
  if (!apparmor.startsWith("Y")) return named;
  const copy = path.join(dir, "named");
  fs.copyFileSync(named, copy);
  fs.chmodSync(copy, 0o755);
  return copy;
}
