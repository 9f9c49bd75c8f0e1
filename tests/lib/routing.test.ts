import fc from "fast-check";
import { routesByZone } from "../../lib/routing";

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const domainsArb = fc.uniqueArray(
  fc.tuple(label, fc.constantFrom("net", "org", "com")).map(([l, t]) => `${l}.${t}`),
  {
    minLength: 1,
    maxLength: 4,
  },
);

/** A routing config whose addresses are all in the given domains and each routed one way. */
const routingArb = domainsArb.chain((domains) =>
  fc
    .uniqueArray(fc.tuple(label, fc.constantFrom(...domains), fc.boolean()), {
      selector: ([local, domain]) => `${local}@${domain}`,
      maxLength: 30,
    })
    .map((entries) => ({
      domains,
      routing: {
        serviceDestination: "service@example.com",
        personalDestination: "personal@example.com",
        serviceAddresses: entries.filter(([, , s]) => s).map(([l, d]) => `${l}@${d}`),
        personalAddresses: entries.filter(([, , s]) => !s).map(([l, d]) => `${l}@${d}`),
      },
    })),
);

describe("routesByZone", () => {
  it("gives one rule per routed address, in its own zone, to the right mailbox, for any routing config", () => {
    fc.assert(
      fc.property(routingArb, ({ domains, routing }) => {
        const zones = routesByZone(domains, routing);
        expect(Object.keys(zones).sort()).toEqual([...domains].sort());
        const all = Object.entries(zones).flatMap(([zone, rules]) =>
          Object.entries(rules).map(([address, mailbox]) => ({ zone, address, mailbox })),
        );
        expect(all).toHaveLength(routing.serviceAddresses.length + routing.personalAddresses.length);
        for (const r of all) {
          expect(r.address.endsWith(`@${r.zone}`)).toBe(true);
          expect(r.mailbox).toBe(routing.serviceAddresses.includes(r.address) ? "service" : "personal");
        }
      }),
    );
  });

  it("does not put a subdomain's address in the parent zone", () => {
    const zones = routesByZone(["example.net"], {
      serviceDestination: "s@example.com",
      personalDestination: "p@example.com",
      serviceAddresses: ["a@example.net", "b@sub.example.net"],
      personalAddresses: [],
    });
    expect(zones).toEqual({ "example.net": { "a@example.net": "service" } });
  });
});
