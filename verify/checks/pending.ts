/**
 * Steps only a person can take (a Cloudflare destination whose owner has not clicked the link yet):
 * warnings, not failures. Cloudflare forwards nothing to such an address until then, and no
 * program can click the link for its owner.
 */
import type { Check } from "../context";
import { warn } from "../result";

export const pendingSteps: Check = async (ctx) =>
  ctx.outputs.pendingSteps.map((step, i) =>
    warn(
      `pending:${i + 1}`,
      `pending human step: ${step}`,
      "only a person can do this; the next `pulumi up` reads it from Cloudflare, clears the step and creates what waited for it",
    ),
  );
