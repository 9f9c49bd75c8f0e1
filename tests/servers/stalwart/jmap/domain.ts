// x:Domain (jmap-0.16.md §3): name required, sanitized and unique across names and aliases; DKIM
// management defaults to Automatic, which links two DkimSignature objects that block a destroy.
import { invalidPatch, invalidValue, objectIsLinked, primaryKeyViolation, required } from "./errors";
import { encodeId } from "./ids";
import type { Kind, Wire } from "./kind";
import { now, type DomainRecord } from "./store";
import { sanitizeDomain } from "./validate";

const typed = (v: unknown, allowed: string[]) =>
  !!v && typeof v === "object" && allowed.includes(String((v as Wire)["@type"]));

export const DomainKind: Kind<DomainRecord> = {
  name: "Domain",
  shape: {
    writable: [
      "name",
      "aliases",
      "description",
      "isEnabled",
      "dkimManagement",
      "dnsManagement",
      "certificateManagement",
      "subAddressing",
      "catchAllAddress",
      "allowRelaying",
      "reportAddressUri",
      "logo",
      "memberTenantId",
      "directoryId",
    ],
    serverSet: ["createdAt", "dnsZoneFile"],
    lists: [],
    sets: ["aliases"],
    maps: [],
  },
  records: (s) => s.domains,
  defaults: () => ({
    aliases: {},
    description: null,
    isEnabled: true,
    catchAllAddress: null,
    allowRelaying: false,
    reportAddressUri: "mailto:postmaster",
    dkimManagement: {
      "@type": "Automatic",
      algorithms: { Ed25519: true, Rsa: true },
      selectorTemplate: "v{version}-{algorithm}-{date-%Y%m%d}",
      rotateAfter: 7776000000,
      retireAfter: 604800000,
      deleteAfter: 2592000000,
    },
    dnsManagement: { "@type": "Manual" },
    certificateManagement: { "@type": "Manual" },
    subAddressing: { "@type": "Enabled" },
    logo: null,
    memberTenantId: null,
    directoryId: null,
  }),
  wire: (_s, d) => ({
    name: d.name,
    aliases: Object.fromEntries(d.aliases.map((a) => [a, true])),
    description: d.description,
    isEnabled: d.isEnabled,
    dkimManagement: d.dkimManagement,
    dnsManagement: d.dnsManagement,
    certificateManagement: d.certificateManagement,
    subAddressing: d.subAddressing,
    catchAllAddress: d.catchAllAddress,
    allowRelaying: d.allowRelaying,
    reportAddressUri: d.reportAddressUri,
    logo: null,
    memberTenantId: null,
    directoryId: null,
  }),
  view(s, d, full) {
    const out: Wire = { id: encodeId(d.id), ...this.wire(s, d), createdAt: d.createdAt };
    // Computed on every GET that does not restrict `properties` (§3).
    if (full) out.dnsZoneFile = `$ORIGIN ${d.name}.\n@ IN MX 10 mail.${d.name}.\n`;
    return out;
  },
  build(s, w, id, existing) {
    if (w.name === undefined || w.name === null) throw required("name");
    const name = sanitizeDomain(w.name);
    if (!name) throw invalidPatch("Invalid domain name", ["name"]);
    const aliases = Object.keys((w.aliases ?? {}) as Wire).map((a) => {
      const clean = sanitizeDomain(a);
      if (!clean) throw invalidPatch("Invalid domain name", ["aliases"]);
      return clean;
    });
    if (w.description !== null && (typeof w.description !== "string" || w.description === ""))
      throw invalidValue("description");
    if (typeof w.isEnabled !== "boolean") throw invalidValue("isEnabled");
    if (typeof w.allowRelaying !== "boolean") throw invalidValue("allowRelaying");
    if (!typed(w.dkimManagement, ["Automatic", "Manual"])) throw invalidValue("dkimManagement");
    if (!typed(w.dnsManagement, ["Automatic", "Manual"])) throw invalidValue("dnsManagement");
    if (!typed(w.certificateManagement, ["Automatic", "Manual"])) throw invalidValue("certificateManagement");
    if (!typed(w.subAddressing, ["Enabled", "Disabled", "Custom"])) throw invalidValue("subAddressing");
    for (const k of ["catchAllAddress", "reportAddressUri"])
      if (w[k] !== null && typeof w[k] !== "string") throw invalidValue(k);
    for (const k of ["logo", "memberTenantId", "directoryId"])
      if (w[k] !== null && w[k] !== undefined) throw invalidValue(k);
    // The name against other names and aliases, then each alias (crates/jmap/src/registry/mapping/
    // domain.rs:64-97 at d72608f3, 0.16.18): the property named is the one that collided.
    for (const other of s.domains.values()) {
      if (other.id === id) continue;
      const taken = [other.name, ...other.aliases];
      if (taken.includes(name)) throw primaryKeyViolation("name", "Domain", encodeId(other.id));
      if (aliases.some((n) => taken.includes(n)))
        throw primaryKeyViolation("aliases", "Domain", encodeId(other.id));
    }
    const automatic = (w.dkimManagement as Wire)["@type"] === "Automatic";
    return {
      id,
      name,
      aliases,
      description: w.description as string | null,
      isEnabled: w.isEnabled,
      createdAt: existing?.createdAt ?? now(),
      dkimManagement: w.dkimManagement as Wire,
      dnsManagement: w.dnsManagement as Wire,
      certificateManagement: w.certificateManagement as Wire,
      subAddressing: w.subAddressing as Wire,
      catchAllAddress: w.catchAllAddress as string | null,
      allowRelaying: w.allowRelaying,
      reportAddressUri: w.reportAddressUri as string | null,
      // Automatic DKIM schedules an Ed25519 and an RSA key; nothing removes them when it is switched off.
      dkimSignatures: existing ? Math.max(existing.dkimSignatures, automatic ? 2 : 0) : automatic ? 2 : 0,
    };
  },
  checkDestroy(s, d) {
    const linked: { object: string; id: string }[] = [];
    for (const a of s.accounts.values()) {
      if (a.domainId === d.id || a.aliases.some((x) => x.domainId === d.id))
        linked.push({ object: "Account", id: encodeId(a.id) });
    }
    for (let i = 0; i < d.dkimSignatures; i++)
      linked.push({ object: "DkimSignature", id: encodeId(d.id * 2 + i) });
    if (s.defaultDomainId === d.id) linked.push({ object: "SystemSettings", id: "singleton" });
    if (linked.length > 0) throw objectIsLinked("Domain", encodeId(d.id), linked);
  },
  matches(_s, d, key, value) {
    if (key === "name") return typeof value === "string" ? d.name === value : undefined;
    if (key === "aliases") return typeof value === "string" ? d.aliases.includes(value) : undefined;
    if (key === "text")
      return typeof value === "string"
        ? [d.name, ...d.aliases, d.description ?? ""].join(" ").toLowerCase().includes(value.toLowerCase())
        : undefined;
    if (key === "memberTenantId") return value === null;
    return undefined;
  },
};
