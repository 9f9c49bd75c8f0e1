/** `homelab-mail:stalwart`: the server and its accounts. */
import * as v from "../validate";
import { plainHttpProblem } from "./plainHttp";
import { stalwartHost } from "./pmg";
import { labelMap } from "./labels";
import { addressesIn, type Problems, type Raw } from "./problems";
import type { StalwartAccount, StalwartConfig } from "./types";

export function validateStalwart(p: Problems, value: unknown, domains: string[]): StalwartConfig | undefined {
  const o = p.object("stalwart", value, false);
  if (!o) return undefined;
  p.unknownKeys("stalwart", o, [
    "endpoint",
    "username",
    "tlsFingerprint",
    "accounts",
    "domainDescriptions",
    "imap",
    "diskQuotasRecalculated",
    "allowPlainHttp",
  ]);
  if (o.allowPlainHttp !== undefined && typeof o.allowPlainHttp !== "boolean")
    p.add("stalwart.allowPlainHttp", "must be true or false");
  if (o.diskQuotasRecalculated !== undefined && typeof o.diskQuotasRecalculated !== "boolean")
    p.add("stalwart.diskQuotasRecalculated", "must be true or false");
  p.check(
    "stalwart.endpoint",
    o.endpoint,
    (x) => v.endpoint(x, ["https:", "http:"]) ?? plainHttpProblem(x, o.allowPlainHttp === true),
  );
  if (o.tlsFingerprint !== undefined && typeof o.endpoint === "string" && o.endpoint.startsWith("http:"))
    p.add("stalwart.tlsFingerprint", "pins a certificate, but stalwart.endpoint is plain http: use https://");
  const username = p.string("stalwart.username", o.username) ?? "";
  if (o.tlsFingerprint !== undefined)
    p.check("stalwart.tlsFingerprint", o.tlsFingerprint, v.sha256Fingerprint);
  const imap = validateImap(p, o.imap, stalwartHost({ endpoint: String(o.endpoint) }) ?? "");
  const accounts = p.list_("stalwart.accounts", o.accounts).flatMap((a, i) => {
    const path = `stalwart.accounts[${i}]`;
    const acc = p.object(path, a);
    if (!acc) return [];
    p.unknownKeys(path, acc, [
      "name",
      "emails",
      "description",
      "roles",
      "quota",
      "allowMailboxDeletion",
      "formerNames",
    ]);
    const name = p.string(`${path}.name`, acc.name)?.toLowerCase();
    if (name && !/^[a-z0-9][a-z0-9._-]{0,63}(@[a-z0-9.-]+)?$/.test(name)) {
      p.add(`${path}.name`, `"${name}" is not a valid account name; use letters, digits, . _ -`);
    }
    const emails = addressesIn(p, `${path}.emails`, acc.emails, domains);
    // "" declares an empty description; left out, the account keeps the one it has.
    const description = acc.description === "" ? "" : p.string(`${path}.description`, acc.description, false);
    return name ? [{ name, emails, description, ...accountOptions(p, path, acc) }] : [];
  });
  const seen = new Map<string, string>();
  accounts.forEach((a, i) => {
    if (seen.has(a.name)) p.add(`stalwart.accounts[${i}].name`, `"${a.name}" is declared twice`);
    seen.set(a.name, a.name);
    for (const e of a.emails) {
      if (seen.has(`@${e}`))
        p.add(`stalwart.accounts[${i}].emails`, `${e} belongs to ${seen.get(`@${e}`)} already`);
      seen.set(`@${e}`, a.name);
    }
  });
  const domainDescriptions = labelMap(
    p,
    "stalwart.domainDescriptions",
    o.domainDescriptions,
    domains,
    "domains",
    (k) => k.toLowerCase(),
  );
  return {
    endpoint: String(o.endpoint),
    username,
    tlsFingerprint: o.tlsFingerprint as string | undefined,
    accounts,
    domainDescriptions,
    imap,
    diskQuotasRecalculated: o.diskQuotasRecalculated === true,
    allowPlainHttp: o.allowPlainHttp === true,
  };
}

function accountOptions(p: Problems, path: string, acc: Raw): Partial<StalwartAccount> {
  const names = (key: string) =>
    acc[key] === undefined
      ? undefined
      : p
          .list_(`${path}.${key}`, acc[key])
          .map((x, i) => p.string(`${path}.${key}[${i}]`, x)?.toLowerCase() ?? "");
  const roles = names("roles");
  if (roles?.length === 0)
    p.add(`${path}.roles`, "must not be empty: an account without roles cannot log in (use [user])");
  const quota = acc.quota ?? 0;
  if (!Number.isSafeInteger(quota) || (quota as number) < 0)
    p.add(`${path}.quota`, "must be a whole number of bytes, 0 for unlimited");
  if (acc.allowMailboxDeletion !== undefined && typeof acc.allowMailboxDeletion !== "boolean")
    p.add(`${path}.allowMailboxDeletion`, "must be true or false");
  return {
    roles,
    quota: Number(quota),
    allowMailboxDeletion: acc.allowMailboxDeletion === true,
    formerNames: names("formerNames"),
  };
}

function validateImap(p: Problems, value: unknown, endpointHost: string): StalwartConfig["imap"] {
  const o = p.object("stalwart.imap", value, false) ?? {};
  p.unknownKeys("stalwart.imap", o, ["host", "port", "security"]);
  const security = o.security ?? "tls";
  if (security !== "tls" && security !== "starttls")
    p.add("stalwart.imap.security", "must be tls (implicit, port 993) or starttls (port 143)");
  const host = o.host ?? endpointHost;
  const port = o.port ?? (security === "starttls" ? 143 : 993);
  p.check("stalwart.imap.host", host, v.host);
  p.check("stalwart.imap.port", port, v.port);
  return { host: String(host), port: Number(port), security: security === "starttls" ? "starttls" : "tls" };
}
