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
import { differences, type PrincipalRecord, type StalwartApi } from "./model";
import { verifyOffThread } from "./hashing";

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
      return await api.create(want, password);
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
  const what = differences(want, existing).map(
    (f) => `${f} is ${JSON.stringify(existing[f])}, declared ${JSON.stringify(want[f])}`,
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
  if (what.length === 0 && !sendPassword) return existing;
  return api.update(existing, want, sendPassword ? password : undefined);
}

/** A create refused because the name or an address belongs to a principal we did not find. */
function conflict(e: StalwartApiError, want: PrincipalInputs): StalwartApiError {
  const hint =
    `${noun(want)} cannot be created: ` +
    (e.details.field === "emails" || e.details.properties
      ? "an address in it belongs to another account; remove it there or from this declaration"
      : "the name is taken by a principal of another kind (domains, accounts, groups and roles share one namespace); rename one of them");
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

/** Refuses a delete that would destroy mail (unless allowed) or leave addresses without their domain. */
export function guardDelete(current: PrincipalRecord, props: PrincipalInputs, failure?: unknown): void {
  const where = `stalwart: refusing to delete ${noun(current)} on ${props.endpoint}`;
  if (failure !== undefined) {
    if (failure instanceof StalwartApiError && failure.kind === "objectIsLinked") {
      throw new DestructiveDeleteRefusedError(
        `${where}: ${failure.serverMessage}. Nothing was changed. Delete or move what still uses it first.`,
      );
    }
    throw failure;
  }
  if (current.type === "individual" && current.usedQuota > 0 && props.allowMailboxDeletion !== true) {
    throw new DestructiveDeleteRefusedError(
      `${where}: its mailbox holds ${current.usedQuota} bytes of mail, and Stalwart deletes an account's mail with it, with no undo. ` +
        `Nothing was changed. If the account left the config by mistake, put it back. To delete it and its mail deliberately, ` +
        `first set allowMailboxDeletion: true on it (homelab-mail:stalwart.accounts) and run \`pulumi up\`, then remove it and run \`pulumi up\` again.`,
    );
  }
  if (current.type === "domain" && current.dependents > 0) {
    throw new DestructiveDeleteRefusedError(
      `${where}: ${current.dependents} address(es) are still in it, and mail to them would stop being accepted. ` +
        `Nothing was changed. Remove or move those addresses first.`,
    );
  }
}
