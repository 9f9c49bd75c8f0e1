/**
 * What the first `pulumi up` does on PMG, read with the providers' own client (GET only): the same
 * rules as providers/pmg (entries.ts: a comment is a label, adopted and changed, or kept when not
 * declared; any other field that differs is a refusal; dkimSelector.ts; options.ts).
 */
import type { MailChainConfig } from "../lib/config";
import { toBool, toInt } from "../providers/pmg/coerce";
import { pmgClient } from "../providers/pmg/settings";
import { ADOPT_FIX, type FieldChange, type PlanItem, type PlanSection } from "./types";

type Entry = Record<string, unknown>;

function label(object: string, live: unknown, declared: string | undefined): PlanItem {
  const have = String(live ?? "");
  if (declared === undefined || declared.trim() === have.trim())
    return { object: `${object}${have ? ` (comment ${JSON.stringify(have)})` : ""}`, action: "adopt" };
  return { object, action: "change", changes: [{ field: "comment", live: have, declared }] };
}

export async function planPmg(config: MailChainConfig): Promise<PlanSection> {
  const pmg = config.pmg;
  const domains = config.domains.map((d) => d.name);
  const comments = pmg.comments ?? {};
  const client = await pmgClient(pmg.endpoint);
  const [networks, relays, transports, dkimDomains, mail, admin, selector, selectors] = await Promise.all([
    client.get<Entry[]>("/config/mynetworks"),
    client.get<Entry[]>("/config/domains"),
    client.get<Entry[]>("/config/transport"),
    client.get<Entry[]>("/config/dkim/domains"),
    client.get<Entry>("/config/mail"),
    client.get<Entry>("/config/admin"),
    client.get<Entry>("/config/dkim/selector"),
    client.get<Entry[]>("/config/dkim/selectors"),
  ]);
  const items: PlanItem[] = [];
  const entry = (list: Entry[], key: string, value: string) => list.find((e) => String(e[key]) === value);

  for (const cidr of pmg.trustedNetworks) {
    const have = entry(networks, "cidr", cidr);
    const object = `trusted network ${cidr}`;
    items.push(
      have ? label(object, have.comment, comments.trustedNetworks?.[cidr]) : { object, action: "create" },
    );
  }

  const smarthost: FieldChange[] = [];
  if (mail.smarthost !== pmg.smarthost.host)
    smarthost.push({ field: "smarthost", live: mail.smarthost, declared: pmg.smarthost.host });
  if ((toInt(mail.smarthostport) ?? 25) !== pmg.smarthost.port)
    smarthost.push({
      field: "smarthostport",
      live: toInt(mail.smarthostport) ?? 25,
      declared: pmg.smarthost.port,
    });
  items.push(
    smarthost.length > 0
      ? { object: "outbound smarthost (/config/mail)", action: "change", changes: smarthost }
      : { object: `outbound smarthost ${pmg.smarthost.host}:${pmg.smarthost.port}`, action: "adopt" },
  );
  if (mail.relay !== undefined) {
    const port = toInt(mail.relayport) ?? 25;
    items.push({
      object: `PMG relay ${String(mail.relay)}:${port}${toBool(mail.relaynomx) ? " (no MX)" : ""}`,
      action: "note",
      reason:
        "`relay` is PMG's default next hop for INCOMING mail of relay domains without a transport, not the outbound " +
        "smarthost; the program leaves it as it is. Every declared domain has a transport, so it is unused.",
      fix: "to remove it: pmgsh set /config/mail -delete relay,relayport,relaynomx",
    });
  }

  for (const domain of domains) {
    const have = entry(relays, "domain", domain);
    const object = `relay domain ${domain}`;
    items.push(
      have ? label(object, have.comment, comments.relayDomains?.[domain]) : { object, action: "create" },
    );
  }

  for (const domain of domains) {
    const have = entry(transports, "domain", domain);
    const object = `transport ${domain} -> ${pmg.transport.protocol}:${pmg.transport.host}:${pmg.transport.port}`;
    if (!have) {
      items.push({ object, action: "create" });
      continue;
    }
    // The program declares no MX lookups for the next hop (components/PmgGateway.ts).
    const wanted: Record<string, unknown> = {
      host: pmg.transport.host,
      port: pmg.transport.port,
      protocol: pmg.transport.protocol,
      use_mx: false,
    };
    const live: Record<string, unknown> = {
      host: have.host,
      port: toInt(have.port),
      protocol: have.protocol ?? "smtp",
      use_mx: toBool(have.use_mx) ?? false,
    };
    const conflicts = Object.keys(wanted)
      .filter((f) => wanted[f] !== live[f])
      .map((f) => ({ field: f, live: live[f], declared: wanted[f] }));
    const comment = label(object, have.comment, comments.transports?.[domain]);
    if (conflicts.length === 0) {
      items.push(comment);
    } else if (config.adoptExisting) {
      items.push({ object, action: "change", changes: [...conflicts, ...(comment.changes ?? [])] });
    } else {
      items.push({
        object,
        action: "refuse",
        changes: conflicts,
        reason: `PMG already routes ${domain} elsewhere (${conflicts.map((c) => `${c.field} ${JSON.stringify(c.live)}`).join(", ")})`,
        fix: ADOPT_FIX,
      });
    }
  }

  for (const domain of domains) {
    const have = entry(dkimDomains, "domain", domain);
    const object = `DKIM signing domain ${domain}`;
    items.push(
      have ? label(object, have.comment, comments.dkimDomains?.[domain]) : { object, action: "create" },
    );
  }

  items.push(planSelector(config, admin, selector, selectors));
  items.push(
    toBool(admin.dkim_sign)
      ? { object: "DKIM signing", action: "adopt" }
      : {
          object: "DKIM signing (once the DNS records publish the key)",
          action: "change",
          changes: [{ field: "dkim_sign", live: toInt(admin.dkim_sign) ?? 0, declared: 1 }],
        },
  );
  return { system: "pmg", endpoint: pmg.endpoint, items };
}

function planSelector(config: MailChainConfig, admin: Entry, info: Entry, all: Entry[]): PlanItem {
  const { selector, keySize } = config.pmg.dkim;
  const object = `DKIM selector ${selector} (${keySize}-bit)`;
  const active = info.selector ?? admin.dkim_selector;
  const bits = toInt(info.keysize);
  if (active === selector && bits !== undefined) {
    if (bits === keySize) return { object, action: "adopt" };
    return {
      object,
      action: "refuse",
      reason: `selector ${selector} already has a ${bits}-bit key, declared ${keySize}`,
      fix: `to keep the key, set homelab-mail:pmg.dkim.keySize to ${bits}; to rotate, declare a new selector name`,
    };
  }
  const exists = all.some((s) => s.selector === selector);
  if (active && active !== selector && toBool(admin.dkim_sign) && !config.adoptExisting) {
    return {
      object,
      action: "refuse",
      reason: `signing is on with selector ${String(active)}; making ${selector} active would sign with a key DNS does not publish yet`,
      fix: `publish ${selector}._domainkey first, or ${ADOPT_FIX}`,
    };
  }
  if (exists)
    return {
      object,
      action: "change",
      changes: [{ field: "active selector", live: active, declared: selector }],
    };
  return { object, action: "create", reason: "PMG generates the key; its DNS record follows from it" };
}
