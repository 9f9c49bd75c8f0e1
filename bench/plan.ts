/**
 * What the benchmark deploys, refreshes and destroys, and in which order. The order is the
 * engine's: a resource starts once everything it depends on is done (deploy), everything is read
 * at once (refresh), and dependents go first (destroy). Each level is a set of resources the
 * engine runs in parallel; levels run one after another.
 */
export type System = "stalwart" | "pmg";
export type Api = "rest" | "jmap";
export type Phase = "deploy" | "refresh" | "destroy";
export const PHASES: Phase[] = ["deploy", "refresh", "destroy"];

/** One resource: its kind and inputs without the endpoint (added per server). */
export interface Item {
  readonly name: string;
  readonly kind: string;
  readonly inputs: Record<string, unknown>;
}

export interface Plan {
  readonly system: System;
  readonly api: Api | null;
  /** Accounts (Stalwart) or mission objects (PMG). */
  readonly n: number;
  readonly items: Item[];
  /** The levels of each phase, as item names. */
  readonly levels: Record<Phase, string[][]>;
}

export const DOMAIN = "example.net";
const PRINCIPAL = "stalwart:StalwartPrincipal";

/** N mailbox accounts in one domain; the domain must exist before its addresses (and outlive them). */
export function stalwartPlan(api: Api, n: number): Plan {
  const domain: Item = { name: DOMAIN, kind: PRINCIPAL, inputs: { type: "domain", name: DOMAIN } };
  const accounts: Item[] = Array.from({ length: n }, (_, i) => {
    const name = `user${String(i + 1).padStart(4, "0")}`;
    return { name, kind: PRINCIPAL, inputs: { type: "individual", name, emails: [`${name}@${DOMAIN}`] } };
  });
  const names = accounts.map((a) => a.name);
  return {
    system: "stalwart",
    api,
    n,
    items: [domain, ...accounts],
    levels: { deploy: [[DOMAIN], names], refresh: [[DOMAIN, ...names]], destroy: [names, [DOMAIN]] },
  };
}

/** The mission's PMG objects (as in the example stack): signing waits for the selector and DKIM domains. */
export function pmgPlan(): Plan {
  const domains = ["example.net", "example.org"];
  const comment = "managed by homelab-mail";
  const items: Item[] = [
    ...["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"].map((cidr) => ({
      name: `network ${cidr}`,
      kind: "pmg:PmgTrustedNetwork",
      inputs: { cidr, comment },
    })),
    { name: "smarthost", kind: "pmg:PmgSmarthost", inputs: { host: "smtp.gmail.com", port: 587 } },
    ...domains.flatMap((domain) => [
      { name: `relay ${domain}`, kind: "pmg:PmgRelayDomain", inputs: { domain, comment } },
      {
        name: `transport ${domain}`,
        kind: "pmg:PmgTransport",
        inputs: {
          domain,
          host: "192.0.2.20",
          port: 25,
          protocol: "smtp",
          useMx: false,
          comment: "to Stalwart",
        },
      },
      { name: `dkim ${domain}`, kind: "pmg:PmgDkimDomain", inputs: { domain, comment } },
    ]),
    { name: "dkim selector", kind: "pmg:PmgDkimSelector", inputs: { selector: "pmg2026", keySize: 2048 } },
    { name: "dkim signing", kind: "pmg:PmgDkimSigning", inputs: { enabled: true } },
  ];
  const first = items.map((i) => i.name).filter((n) => n !== "dkim signing");
  return {
    system: "pmg",
    api: null,
    n: items.length,
    items,
    levels: {
      deploy: [first, ["dkim signing"]],
      refresh: [items.map((i) => i.name)],
      destroy: [["dkim signing"], first],
    },
  };
}
