import * as pulumi from "@pulumi/pulumi";
import { isIP } from "node:net";
import * as v from "../../lib/validate";
import { shimProvider } from "../shim";
import { entryProvider } from "./entries";

export const KIND = "pmg:PmgTransport";

export interface PmgTransportArgs {
  /** PMG API endpoint, `https://host:8006`. */
  readonly endpoint: pulumi.Input<string>;
  /** Domain (or `.domain` for its subdomains) whose mail this transport delivers. */
  readonly domain: pulumi.Input<string>;
  /** Next hop: Stalwart's SMTP host, a name or an IP address. */
  readonly host: pulumi.Input<string>;
  /** Next hop's port. Default 25. */
  readonly port?: pulumi.Input<number>;
  /** `smtp` or `lmtp`. Default `smtp`. */
  readonly protocol?: pulumi.Input<"smtp" | "lmtp">;
  /** Look up MX records for `host`. Default true; PMG reads it back false for IP hosts and LMTP. */
  readonly useMx?: pulumi.Input<boolean>;
  /** Free text shown in PMG's GUI. Undefined: not managed (an existing entry keeps its own; created without). */
  readonly comment?: pulumi.Input<string>;
}

/** One transport map entry (/config/transport): where PMG hands a domain's filtered mail. */
export class PmgTransport extends pulumi.dynamic.Resource {
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly domain: pulumi.Output<string>;
  declare readonly host: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly protocol: pulumi.Output<string>;
  declare readonly useMx: pulumi.Output<boolean>;
  declare readonly comment: pulumi.Output<string>;

  constructor(name: string, args: PmgTransportArgs, opts?: pulumi.CustomResourceOptions) {
    super(shimProvider(KIND), name, { ...args }, opts, "pmg", "PmgTransport");
  }
}

function transportDomain(value: unknown): v.Problem {
  if (typeof value === "string" && value.startsWith(".")) return v.mailDomain(value.slice(1));
  return v.mailDomain(value);
}

export const provider = entryProvider({
  noun: "transport",
  collection: "/config/transport",
  key: "domain",
  validateKey: transportDomain,
  normalizeKey: (d) => d.toLowerCase(),
  fields: {
    host: { type: "string", validate: v.host },
    port: { type: "integer", default: 25, validate: v.port },
    protocol: {
      type: "string",
      default: "smtp",
      validate: (p) => (p === "smtp" || p === "lmtp" ? undefined : "must be smtp or lmtp"),
    },
    useMx: { param: "use_mx", type: "boolean", default: true },
    comment: { type: "string", validate: v.comment, label: true },
  },
  // PMG derives use_mx from the file it writes: false whenever the host is an IP or the protocol is LMTP.
  expected: (r) => ({
    ...r,
    useMx: typeof r.host === "string" && (isIP(r.host) !== 0 || r.protocol === "lmtp") ? false : r.useMx,
  }),
});
