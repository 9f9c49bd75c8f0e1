/**
 * What the Cloudflare part of the chain declares, decided from what the API reports at run time
 * (the provider's invokes, read on every preview and update). Pure, unit-tested.
 *
 * - A destination address the account already has is adopted, never created again (a create
 *   answers 100640 "destination address already exists"; providers/cloudflare/destinationAddress.ts).
 * - A forwarding rule is declared only to a verified destination: Cloudflare refuses any other
 *   with 400/2054 (api-schemas `email-routing-routing-rules-create-routing-rule`: "Forward actions
 *   require exactly one verified destination address"). The others wait, and say so.
 * - A rule made by hand that already forwards the address to its destination is imported with its
 *   live name and priority, so the import matches on every CLI version; the same import id every run
 *   is then a no-op. A rule this stack made (named by `ruleName`) is never given `import`: its state id
 *   (`<ruleId>`) differs from the import id (`<zoneId>/<ruleId>`), and Pulumi answers such an import
 *   with an import-replacement that deletes the old object (pulumi/pulumi step_generator.go, `isImport`).
 *   A rule for the address that forwards elsewhere is reported: Cloudflare applies only the most
 *   recent rule for an address (enable-email-routing.mdx).
 */
export interface LiveAddress {
  readonly id: string;
  readonly email: string;
  /** Timestamp; empty or absent until the owner clicks the link. */
  readonly verified?: string | null;
}

export interface LiveRule {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly priority: number;
  readonly matchers: { type: string; field?: string; value?: string }[];
  readonly actions: { type: string; values?: string[] }[];
}

export interface DestinationPlan {
  readonly email: string;
  /** Cloudflare's id, when the account has the address already. */
  readonly id?: string;
  readonly verified: boolean;
}

export interface RulePlan {
  readonly address: string;
  readonly destination: string;
  readonly name: string;
  readonly priority: number;
  /** `<zoneId>/<ruleId>` when a live rule already does exactly this. */
  readonly importId?: string;
}

export interface StrayRule {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly forwardsTo: string;
}

export interface ZoneRulesPlan {
  readonly rules: RulePlan[];
  /** Routes whose destination is not verified yet: no rule until it is. */
  readonly waiting: { address: string; destination: string }[];
  readonly strays: StrayRule[];
}

/** The name this stack gives the rules it creates. */
export const ruleName = (address: string) => `${address} (homelab-mail)`;

export function planDestinations(emails: string[], live: LiveAddress[]): DestinationPlan[] {
  return [...new Set(emails.map((e) => e.toLowerCase()))].map((email) => {
    const found = live.find((a) => a.email.toLowerCase() === email);
    return found ? { email, id: found.id, verified: Boolean(found.verified) } : { email, verified: false };
  });
}

const literalTo = (r: LiveRule) =>
  r.matchers.length === 1 && r.matchers[0].type === "literal" && r.matchers[0].field === "to"
    ? r.matchers[0].value?.toLowerCase()
    : undefined;
const forwardsTo = (r: LiveRule) =>
  r.actions.length === 1 && r.actions[0].type === "forward" && r.actions[0].values?.length === 1
    ? r.actions[0].values[0].toLowerCase()
    : r.actions.map((a) => a.type).join(",");

export function planZoneRules(
  zoneId: string,
  routes: Record<string, string>,
  destinations: DestinationPlan[],
  live: LiveRule[],
): ZoneRulesPlan {
  const rules: RulePlan[] = [];
  const waiting: ZoneRulesPlan["waiting"] = [];
  const strays: StrayRule[] = [];
  for (const [address, destination] of Object.entries(routes)) {
    const dest = destinations.find((d) => d.email === destination.toLowerCase());
    const forAddress = live.filter((r) => literalTo(r) === address.toLowerCase());
    const same = forAddress.find((r) => r.enabled && forwardsTo(r) === destination.toLowerCase());
    for (const r of forAddress)
      if (r !== same)
        strays.push({
          id: r.id,
          name: r.name,
          address,
          forwardsTo: r.enabled ? forwardsTo(r) : "nothing (disabled)",
        });
    if (!dest?.verified) {
      waiting.push({ address, destination });
      continue;
    }
    const ours = !same || same.name === ruleName(address);
    rules.push(
      ours
        ? { address, destination, name: ruleName(address), priority: same?.priority ?? 0 }
        : {
            address,
            destination,
            name: same.name,
            priority: same.priority,
            importId: `${zoneId}/${same.id}`,
          },
    );
  }
  return { rules, waiting, strays };
}

/** The human steps the plan leaves, one line each, saying what to click and what happens next. */
export function pendingFromPlan(
  domain: string,
  plan: ZoneRulesPlan,
): { waiting: Map<string, string[]>; strays: string[] } {
  const waiting = new Map<string, string[]>();
  for (const w of plan.waiting)
    waiting.set(w.destination, [...(waiting.get(w.destination) ?? []), w.address]);
  const strays = plan.strays.map(
    (s) =>
      `delete the Email Routing rule "${s.name}" (id ${s.id}) on ${domain}: it sends ${s.address} to ${s.forwardsTo}, ` +
      `and Cloudflare applies only the newest rule for an address`,
  );
  return { waiting, strays };
}
