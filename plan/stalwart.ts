/**
 * What the first `pulumi up` does on Stalwart, read with the providers' own API client (reads only):
 * the rules of providers/stalwart/lifecycle.ts adoptOrCreate. A description is a label (changed when
 * declared, kept when not); any other field that differs, or a password that would be replaced, is a
 * refusal unless adoptExisting is set.
 */
import type { MailChainConfig } from "../lib/config";
import { checkPrincipal, type PrincipalInputs } from "../providers/stalwart/check";
import { passwordState } from "../providers/stalwart/lifecycle";
import { differences, LABEL_FIELDS, type PrincipalRecord } from "../providers/stalwart/model";
import { configuredPassword, stalwartApi } from "../providers/stalwart/settings";
import { ADOPT_FIX, type FieldChange, type PlanItem, type PlanSection } from "./types";

export async function planStalwart(config: MailChainConfig): Promise<PlanSection | undefined> {
  const stalwart = config.stalwart;
  if (!stalwart) return undefined;
  const api = await stalwartApi(stalwart.endpoint);
  const endpoint = stalwart.endpoint;
  const declared: Record<string, unknown>[] = [
    ...config.domains.map((d) => ({
      endpoint,
      type: "domain",
      name: d.name,
      description: stalwart.domainDescriptions?.[d.name],
    })),
    ...stalwart.accounts.map((a) => ({
      endpoint,
      type: "individual",
      name: a.name,
      emails: a.emails,
      description: a.description,
      roles: a.roles ?? ["user"],
      quota: a.quota ?? 0,
    })),
  ];
  const items: PlanItem[] = [];
  for (const raw of declared) {
    const want = checkPrincipal(raw).inputs as unknown as PrincipalInputs;
    const object =
      want.type === "domain" ? `domain ${want.name}` : `account ${want.name} <${want.emails.join(", ")}>`;
    const have = await api.find({ type: want.type, name: want.name, emails: want.emails });
    if (!have) {
      items.push({ object, action: "create" });
      continue;
    }
    items.push(await judge(object, want, have, config.adoptExisting));
  }
  return {
    system: `stalwart (${api.generation === "rest" ? "REST, 0.10-0.15" : "JMAP, 0.16+"})`,
    endpoint,
    items,
  };
}

async function judge(
  object: string,
  want: PrincipalInputs,
  have: PrincipalRecord,
  adopt: boolean,
): Promise<PlanItem> {
  const found = differences(want, have);
  const change = (f: (typeof found)[number]): FieldChange => ({ field: f, live: have[f], declared: want[f] });
  const labels = found.filter((f) => LABEL_FIELDS.includes(f)).map(change);
  const conflicts = found.filter((f) => !LABEL_FIELDS.includes(f)).map(change);
  const why: string[] = [];
  if (want.type === "individual") {
    const password = await configuredPassword(want.name);
    if (have.storedPassword === undefined) {
      // 0.16 masks passwords: a configured one is set (a change); a generated one would replace the live one.
      if (password !== undefined)
        labels.push({ field: "password", live: "(masked)", declared: "(stalwartAccountPasswords)" });
      else
        why.push(
          "its password cannot be read back (0.16 masks it), and none is set in homelab-mail:stalwartAccountPasswords",
        );
    } else if (password === undefined) {
      why.push(
        "no password is set for it in homelab-mail:stalwartAccountPasswords: a generated one would replace the live one",
      );
    } else {
      const state = await passwordState(have, password);
      if (state === "rehash")
        labels.push({ field: "password", live: "(plain text)", declared: "(the same password, hashed)" });
      if (state === "mismatch")
        why.push(
          "its stored password does not verify against the one in homelab-mail:stalwartAccountPasswords",
        );
    }
  }
  if (conflicts.length > 0 || why.length > 0) {
    if (adopt) return { object, action: "change", changes: [...conflicts, ...labels] };
    const keep =
      why.length > 0 && want.type === "individual"
        ? `; to keep its password: pulumi config set --secret --path 'homelab-mail:stalwartAccountPasswords.${want.name}' <password>`
        : "";
    return {
      object,
      action: "refuse",
      changes: conflicts,
      reason: [...conflicts.map((c) => `${c.field} differs`), ...why].join("; "),
      fix: `${ADOPT_FIX}${keep}`,
    };
  }
  return labels.length > 0 ? { object, action: "change", changes: labels } : { object, action: "adopt" };
}
