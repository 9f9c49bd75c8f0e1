/**
 * What the first `pulumi up` does on Cloudflare, read with the project's own client (GET only) and
 * decided by the same rules the program uses: lib/cloudflarePlan.ts (destinations, rules) and
 * providers/cloudflare/txt.ts (one TXT record of each kind, adopted when it loses nothing).
 * The token is CLOUDFLARE_API_TOKEN (or cloudflare:apiToken where the plan can read it).
 */
import type { MailChainConfig } from "../lib/config";
import { planDestinations, planZoneRules, type LiveAddress, type LiveRule } from "../lib/cloudflarePlan";
import { dmarcValue, formatTxtContent, spfValue } from "../lib/records";
import { routesByZone } from "../lib/routing";
import { BASE_SPF_INCLUDES } from "../lib/config";
import { cloudflareClient } from "../providers/cloudflare/settings";
import { isKind, losesNothing, txtValue, type TxtKind } from "../providers/cloudflare/txt";
import { ADOPT_FIX, type PlanItem, type PlanSection } from "./types";

interface ApiRule {
  id: string;
  name: string;
  enabled: boolean;
  priority: number;
  matchers: LiveRule["matchers"];
  actions: { type: string; value?: string[] }[];
}
interface ApiRecord {
  id: string;
  name: string;
  content: string;
}

export async function planCloudflare(config: MailChainConfig): Promise<PlanSection | undefined> {
  if (config.domains.length === 0) return undefined;
  const api = await cloudflareClient();
  const items: PlanItem[] = [];
  const routing = config.routing;
  const accountId = config.cloudflareAccountId;
  let destinations: ReturnType<typeof planDestinations> = [];
  if (routing && accountId) {
    const live = await api.list<LiveAddress>(`/accounts/${accountId}/email/routing/addresses`);
    destinations = planDestinations([routing.serviceDestination, routing.personalDestination], live);
    for (const d of destinations) {
      const object = `destination address ${d.email}`;
      if (!d.id)
        items.push({ object, action: "create", reason: "Cloudflare mails its owner a verification link" });
      else if (d.verified) items.push({ object, action: "adopt" });
      else
        items.push({
          object,
          action: "adopt",
          reason: "not verified yet: no rule to it until its owner clicks the link Cloudflare mailed",
        });
    }
  }
  const routes = routing
    ? routesByZone(
        config.domains.map((d) => d.name),
        routing,
      )
    : {};
  const spf = formatTxtContent(
    spfValue({ includes: [...BASE_SPF_INCLUDES, ...config.dns.spfExtraIncludes], all: config.dns.spfAll }),
  );
  for (const d of config.domains) {
    const z = `/zones/${d.cloudflareZoneId}`;
    if (routing && accountId) {
      const settings = await api.get<{ enabled: boolean; status: string }>(`${z}/email/routing`);
      items.push(
        settings.enabled
          ? { object: `Email Routing on ${d.name}`, action: "adopt", reason: `status ${settings.status}` }
          : {
              object: `Email Routing on ${d.name}`,
              action: "create",
              reason: "enabled without a name; adds MX records",
            },
      );
      const live = (await api.list<ApiRule>(`${z}/email/routing/rules`)).map((r) => ({
        ...r,
        actions: r.actions.map((a) => ({ type: a.type, values: a.value })),
      }));
      const byAddress = Object.fromEntries(
        Object.entries(routes[d.name] ?? {}).map(([a, box]) => [
          a,
          box === "service" ? routing.serviceDestination : routing.personalDestination,
        ]),
      );
      const plan = planZoneRules(d.cloudflareZoneId, byAddress, destinations, live);
      for (const r of plan.rules)
        items.push({
          object: `rule ${r.address} -> ${r.destination}`,
          action: r.importId ? "adopt" : "create",
        });
      for (const w of plan.waiting)
        items.push({
          object: `rule ${w.address} -> ${w.destination}`,
          action: "note",
          reason: "waits until the destination is verified (Cloudflare refuses it before: error 2054)",
        });
      for (const s of plan.strays)
        items.push({
          object: `rule "${s.name}" ${s.address} -> ${s.forwardsTo}`,
          action: "note",
          reason: "made by hand and not this stack's; Cloudflare applies only the newest rule for an address",
          fix: "delete it in the dashboard",
        });
    }
    const dmarc = formatTxtContent(
      dmarcValue({
        policy: config.dns.dmarcPolicy,
        reportTo: config.dns.dmarcReportTo ?? `postmaster@${d.name}`,
      }),
    );
    const txt = async (kind: TxtKind, name: string, declared?: string): Promise<void> => {
      const listed = await api.list<ApiRecord>(`${z}/dns_records?type=TXT&name=${encodeURIComponent(name)}`);
      const found = listed.filter((r) => r.name === name && isKind(kind, r.content));
      const object = `${kind} TXT ${name}`;
      const extra =
        found.length > 1 ? `${found.length} records of this kind: all but one are deleted` : undefined;
      if (found.length === 0) {
        items.push({ object, action: "create" });
      } else if (!declared) {
        // The DKIM value is PMG's key, known to the pmg section: adopted when equal, refused when not.
        items.push({
          object,
          action: "adopt",
          reason: extra ?? "adopted when it holds PMG's key (see the pmg section)",
        });
      } else {
        const changes = found
          .filter((r) => r.content !== declared)
          .map((r) => ({
            field: `content (${r.id})`,
            live: txtValue(r.content),
            declared: txtValue(declared),
          }));
        const lost = found.some((r) => !losesNothing(kind, r.content, declared));
        if (lost && !config.adoptExisting)
          items.push({
            object,
            action: "refuse",
            changes,
            reason: "it holds what the declared record lacks",
            fix: ADOPT_FIX,
          });
        else
          items.push({
            object,
            action: changes.length === 0 && !extra ? "adopt" : "change",
            changes,
            reason: extra,
          });
      }
    };
    await txt("spf", d.name, spf);
    await txt("dkim", `${config.pmg.dkim.selector}._domainkey.${d.name}`);
    await txt("dmarc", `_dmarc.${d.name}`, dmarc);
  }
  return { system: "cloudflare", endpoint: api.baseUrl, items };
}
