/**
 * DNS lookups for the checks, through a chosen server (`--dns 127.0.0.1:5353`) or the system's.
 * "No such record" (NXDOMAIN, NODATA) is an answer, an empty list; anything else (timeout, SERVFAIL,
 * refused) is an error, so a broken resolver is never reported as a missing record.
 */
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { HomelabMailError } from "../lib/errors";

const NO_RECORD = new Set(["ENODATA", "ENOTFOUND"]);

/** `host`, `host:port` or `[v6]:port`, comma-separated; hosts are IP addresses (a resolver has no name yet). */
export function parseDnsServers(spec: string): string[] {
  return spec.split(",").map((raw) => {
    const s = raw.trim();
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s) ?? [s, s, undefined];
    const [host, port] = [m[1], m[2]];
    if (isIP(host) === 0) {
      throw new HomelabMailError(
        "E_VERIFY_USAGE",
        `--dns: '${s}' is not an IP address with an optional :port`,
      );
    }
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      throw new HomelabMailError("E_VERIFY_USAGE", `--dns: port ${port} is not from 1 to 65535`);
    }
    const p = port ?? "53";
    return isIP(host) === 6 ? `[${host}]:${p}` : `${host}:${p}`;
  });
}

export class DnsLookup {
  private readonly resolver = new Resolver({ timeout: 2_000, tries: 2 });

  /** `servers` as parseDnsServers returns them; none means the system's resolvers. */
  constructor(servers?: string[]) {
    if (servers && servers.length > 0) this.resolver.setServers(servers);
  }

  /** The servers asked, for messages. */
  describe(): string {
    return this.resolver.getServers().join(", ") || "the system resolver";
  }

  /** Each TXT record at `name` as one value: its character-strings concatenated (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
  async txt(name: string): Promise<string[]> {
    return (await this.ask("TXT", name, () => this.resolver.resolveTxt(name))).map((strings) =>
      strings.join(""),
    );
  }

  /** MX exchanges at `name`, lower-cased, without the trailing dot. */
  async mx(name: string): Promise<string[]> {
    return (await this.ask("MX", name, () => this.resolver.resolveMx(name))).map((r) =>
      r.exchange.toLowerCase().replace(/\.$/, ""),
    );
  }

  async records(type: "A" | "AAAA" | "CNAME", name: string): Promise<string[]> {
    if (type === "A") return this.ask(type, name, () => this.resolver.resolve4(name));
    if (type === "AAAA") return this.ask(type, name, () => this.resolver.resolve6(name));
    return this.ask(type, name, () => this.resolver.resolveCname(name));
  }

  private async ask<T>(type: string, name: string, query: () => Promise<T[]>): Promise<T[]> {
    try {
      return await query();
    } catch (err) {
      const code = (err as { code?: string }).code ?? "error";
      if (NO_RECORD.has(code)) return [];
      throw new HomelabMailError(
        "E_VERIFY_DNS",
        `DNS ${type} ${name} via ${this.describe()} failed: ${code}`,
      );
    }
  }
}
