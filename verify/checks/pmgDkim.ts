/**
 * PMG's live DKIM state: which selector it signs with, whether its key file is there, whether
 * signing is on. Without PMG credentials the DKIM checks compare DNS with the `dkim` stack output
 * only, i.e. with the key PMG had at the last `pulumi up`; that is said as a warning.
 */
import type { Check } from "../context";
import { fail, pass, warn } from "../result";

const ID = "pmg-dkim";

export const pmgDkim: Check = async (ctx) => {
  const live = ctx.pmg;
  if (live.state === "off") {
    return [
      warn(
        ID,
        "PMG's live key not asked: DNS is compared with the dkim stack output (the key at the last pulumi up)",
        "to compare with the key PMG signs with now, set PMG_ENDPOINT, PMG_USERNAME (with realm, an admin) and PMG_PASSWORD, and PMG_TLS_FINGERPRINT for a self-signed PMG",
      ),
    ];
  }
  if (live.state === "error") {
    return [
      fail(
        ID,
        `PMG's DKIM settings could not be read: ${live.message}`,
        "check PMG_ENDPOINT, PMG_USERNAME, PMG_PASSWORD and PMG_TLS_FINGERPRINT, and that the user may read /config (admin role)",
      ),
    ];
  }
  const d = live.dkim;
  if (!d.selector) {
    return [
      fail(
        ID,
        "PMG has no active DKIM selector (admin.dkim_selector is unset)",
        "run pulumi up: PmgDkimSelector creates and activates it",
      ),
    ];
  }
  if (!d.txtValue) {
    return [
      fail(
        ID,
        `PMG's selector ${d.selector} has no key file (/etc/pmg/dkim/${d.selector}.private)`,
        "run pulumi up --refresh, then pulumi up: the selector is created again with a new key",
      ),
    ];
  }
  const key = `selector ${d.selector}${d.keysize ? ` (${d.keysize}-bit key)` : ""}`;
  if (!d.signing) {
    return [
      warn(
        ID,
        `PMG has ${key} but does not sign (admin.dkim_sign is 0)`,
        "run pulumi up: signing is switched on once DNS publishes the key",
      ),
    ];
  }
  return [pass(ID, `PMG signs with ${key}`)];
};
