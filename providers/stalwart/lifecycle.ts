/**
 * The parts of StalwartPrincipal's lifecycle where mail or access could be lost: adopting what
 * already exists (identical: take it; different: refuse, saying how to adopt deliberately), judging
 * a stored password, and refusing deletes that would destroy mail or strand addresses.
 */
import { AdoptionRefusedError } from "../../lib/errors";
import { settings } from "../context";
import { backoffMs, DEFAULT_RETRY, sleep } from "../http";
import type { PrincipalInputs } from "./check";
import { DestructiveDeleteRefusedError, StalwartApiError } from "./errors";
import { verifyOffThread } from "./hashing";
import { differences, LABEL_FIELDS, resolveSpec, type PrincipalRecord, type StalwartApi } from "./model";

/** `match`; `rehash`: right password stored in plain text; `mismatch`: wrong, missing or unverifiable. */
export type PasswordState = "match" | "rehash" | "mismatch";

/**
 * `knownHash`: a stored hash this password verified against before (kept in state as a secret). The
 * server's value being byte-identical to it means the same passwords verify, so no hashing is needed;
 * any other stored value is verified in full. Password strings are never compared.
 */
export async function passwordState(
  rec: PrincipalRecord,
  password: string,
  knownHash?: string,
): Promise<PasswordState> {
  // 0.16 masks every secret: nothing can be told from a read (README, "Stalwart").
  if (rec.storedPassword === undefined) return "match";
  if (knownHash !== undefined && rec.storedPassword === knownHash && /^(\$|\{SSHA512\})/i.test(knownHash))
    return "match";
  if (rec.storedPassword === null || (await verifyOffThread(password, rec.storedPassword)) !== true)
    return "mismatch";
  return /^(\$|\{SSHA512\})/i.test(rec.storedPassword) ? "match" : "rehash";
}

const noun = (p: { type: string; name: string; emails: string[] }) =>
  p.type === "domain" ? `domain ${p.name}` : `account ${p.name}`;
const alreadyExists = (e: unknown) =>
  e instanceof StalwartApiError && (e.kind === "fieldAlreadyExists" || e.kind === "primaryKeyViolation");

/** Creates the principal, or adopts an existing one that matches (a lost answer to our own create included). */
export async function adoptOrCreate(
  api: StalwartApi,
  want: PrincipalInputs,
  password: string | undefined,
  configured: boolean,
): Promise<PrincipalRecord> {
  const at = { type: want.type, name: want.name, emails: want.emails };
  // Create first (one request when it does not exist yet, issue 15); the server refuses a name or
  // address that exists, and only then is what exists read and judged. A refused create changed nothing.
  let existing: PrincipalRecord | undefined;
  // Our own create went through but its answer was lost (creates are never resent blind): it is ours.
  let ours = false;
  for (let attempt = 0; !existing; attempt++) {
    try {
      return await api.create(resolveSpec(want), password);
    } catch (e) {
      const lost = e instanceof StalwartApiError && (e.status === 0 || e.status >= 500);
      const throttled = e instanceof StalwartApiError && e.status === 429;
      if (!alreadyExists(e) && !lost && !throttled) throw e;
      existing = await api.find(at);
      ours = lost;
      if (existing) break;
      if (alreadyExists(e)) throw conflict(e as StalwartApiError, want);
      // Unanswered, and the server holds nothing by that name: sending it again cannot make a second.
      if (attempt >= DEFAULT_RETRY.retries) throw e;
      await sleep(backoffMs(attempt, DEFAULT_RETRY));
    }
  }
  const found = differences(want, existing);
  // A description is a label: when declared and different it is changed, without adoptExisting.
  const relabel = found.some((f) => LABEL_FIELDS.includes(f));
  const what = found
    .filter((f) => !LABEL_FIELDS.includes(f))
    .map((f) => `${f} is ${JSON.stringify(existing[f])}, declared ${JSON.stringify(want[f])}`);
  if (existing.dkimManagement !== undefined && existing.dkimManagement !== "Manual")
    what.push(
      `its DKIM management is ${existing.dkimManagement} (Stalwart would sign with keys of its own; PMG signs, so it becomes Manual)`,
    );
  let sendPassword = false;
  if (password !== undefined) {
    const state = await passwordState(existing, password);
    if (existing.storedPassword === undefined) {
      // Masked: a password set in config is the declaration, so it is set; a generated one would be a change.
      sendPassword = true;
      if (!configured && !ours)
        what.push(
          "its password cannot be read back (0.16 masks it), and none is set in homelab-mail:stalwartAccountPasswords",
        );
    } else if (state === "mismatch") {
      sendPassword = true;
      what.push("its stored password does not verify against the declared one");
    } else {
      sendPassword = state === "rehash";
    }
  }
  if (what.length > 0 && !(await settings()).adoptExisting) {
    const keep =
      want.type === "individual" && !configured
        ? ` To keep its current password, set it first: \`pulumi config set --secret --path 'homelab-mail:stalwartAccountPasswords.${want.name}' <password>\`.`
        : "";
    throw new AdoptionRefusedError(
      `stalwart: ${noun(want)} on ${want.endpoint} already exists and differs (${what.join("; ")}). Nothing was changed. ` +
        `To adopt it and overwrite those fields, run \`pulumi config set homelab-mail:adoptExisting true\` and \`pulumi up\` ` +
        `(then \`pulumi config rm homelab-mail:adoptExisting\`); or change the declaration to match and run \`pulumi up\`.${keep}`,
    );
  }
  if (what.length === 0 && !sendPassword && !relabel) return existing;
  return api.update(existing, resolveSpec(want, existing), sendPassword ? password : undefined);
}

/** A create refused because the name or an address belongs to a principal we did not find. */
function conflict(e: StalwartApiError, want: PrincipalInputs): StalwartApiError {
  const hint = `${noun(want)} cannot be created: ${conflictReason(e, want)}`;
  return new StalwartApiError(
    {
      method: e.method,
      path: e.path,
      status: e.status,
      kind: e.kind,
      details: e.details,
      message: e.serverMessage,
    },
    hint,
  );
}

/**
 * Why a create collided. ≤0.15: `fieldAlreadyExists` with `field` name (one namespace for every
 * principal type) or emails. 0.16: `primaryKeyViolation` naming the property and the object holding
 * it; a domain name that is another domain's alias is `name` on that Domain
 * (crates/jmap/src/registry/mapping/domain.rs:64-97 at d72608f3, since 0.16.18).
 */
function conflictReason(e: StalwartApiError, want: PrincipalInputs): string {
  if (e.kind === "primaryKeyViolation") {
    const holder = e.details.objectId as { object?: unknown; id?: unknown } | undefined;
    const props = Array.isArray(e.details.properties) ? e.details.properties.map(String) : [];
    if (want.type === "domain" || holder?.object === "Domain") {
      return (
        `Stalwart domain ${String(holder?.id ?? "?")} already has ${want.name} as its name or as one of its domain aliases ` +
        `(${props.join(", ") || "name"}); remove the alias from that domain in Stalwart's web admin, or drop ${want.name} from homelab-mail:domains`
      );
    }
    return `an address in it belongs to another account (Stalwart ${String(holder?.object ?? "Account")} ${String(holder?.id ?? "?")}); remove it there or from this declaration`;
  }
  if (e.details.field === "emails")
    return "an address in it belongs to another account; remove it there or from this declaration";
  return "the name is taken by a principal of another kind (domains, accounts, groups and roles share one namespace); rename one of them";
}

/** Refuses a delete that would destroy mail (unless allowed) or leave addresses without their domain. */
export function guardDelete(
  current: PrincipalRecord,
  props: PrincipalInputs,
  failure?: unknown,
  countersReset = false,
): void {
  const where = `stalwart: refusing to delete ${noun(current)} on ${props.endpoint}`;
  if (failure !== undefined) {
    if (failure instanceof StalwartApiError && failure.kind === "objectIsLinked") {
      throw new DestructiveDeleteRefusedError(
        `${where}: ${failure.serverMessage}. Nothing was changed. ${linkedHint(failure)}`,
      );
    }
    throw failure;
  }
  const deliberately =
    `If the account left the config by mistake, put it back. To delete it and its mail deliberately, ` +
    `first set allowMailboxDeletion: true on it (homelab-mail:stalwart.accounts) and run \`pulumi up\`, then remove it and run \`pulumi up\` again.`;
  if (current.type === "individual" && props.allowMailboxDeletion !== true) {
    if (current.usedQuota === undefined) {
      // Fail closed (issue 14): a usage that cannot be read may be a full mailbox.
      throw new DestructiveDeleteRefusedError(
        `${where}: Stalwart's answer does not say how much mail its mailbox holds (no usable ${"`"}usedQuota${"`"}/${"`"}usedDiskQuota${"`"}), ` +
          `so it is treated as holding mail. Nothing was changed. ${deliberately}`,
      );
    }
    if (countersReset && current.usedQuota === 0) {
      // UPGRADING/v0_16.md, Step 2 "Disk quotas": the migration resets every usage counter to zero.
      throw new DestructiveDeleteRefusedError(
        `${where}: it was migrated from Stalwart 0.15 to 0.16, which resets every account's disk-usage counter to zero, ` +
          `so its empty-looking mailbox may hold mail. Nothing was changed. In Stalwart's web admin run Tasks > "Recalculate disk quotas" ` +
          `(UPGRADING/v0_16.md, Step 4), wait for it to finish, then run \`pulumi config set --path homelab-mail:stalwart.diskQuotasRecalculated true\` and \`pulumi up\` again. ${deliberately}`,
      );
    }
    if (current.usedQuota > 0) {
      throw new DestructiveDeleteRefusedError(
        `${where}: its mailbox holds ${current.usedQuota} bytes of mail, and Stalwart deletes an account's mail with it, with no undo. ` +
          `Nothing was changed. ${deliberately}`,
      );
    }
  }
  if (current.type === "domain" && current.dependents > 0) {
    throw new DestructiveDeleteRefusedError(
      `${where}: ${current.dependents} address(es) are still in it, and mail to them would stop being accepted. ` +
        `Nothing was changed. Remove or move those addresses first.`,
    );
  }
}

/** What to do about the objects a 0.16 destroy named as still linked, one sentence per kind. */
function linkedHint(e: StalwartApiError): string {
  const linked = Array.isArray(e.details.linkedObjects)
    ? (e.details.linkedObjects as { object?: unknown }[]).map((l) => String(l?.object))
    : [];
  const says: Record<string, string> = {
    // Automatic DKIM management (0.16's default, and what migrated domains get) creates signing keys that
    // nothing removes when it is switched off; they block the destroy (jmap-0.16.md §3, frappe/mail PR #567).
    DkimSignature:
      "Stalwart still holds DKIM keys of its own for it (made while its DKIM management was Automatic; PMG signs the mail): " +
      "delete them in Stalwart's web admin (Settings > DKIM signatures, or x:DkimSignature/set destroy).",
    // SystemSettings.defaultDomainId: logins without @ get this domain (jmap-0.16.md §5); the migration sets it.
    SystemSettings:
      "It is Stalwart's default domain (System settings > default domain; the 0.16 migration sets it): choose another one there.",
    Account: "Accounts still have addresses in it: remove or move them first.",
  };
  const sentences = [...new Set(linked)].map(
    (o) => says[o] ?? `${o} objects still point at it: remove them first.`,
  );
  return sentences.length > 0
    ? `${sentences.join(" ")} Then run \`pulumi up\` again.`
    : "Delete or move what still uses it first.";
}
