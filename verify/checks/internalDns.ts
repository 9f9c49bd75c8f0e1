/**
 * The internal records the chain keeps on the UniFi console (pmg.lab.local, mail.lab.local), asked
 * through the lab's resolver (`--internal-dns`, default the one of `--dns`). Checked only where the
 * outputs carry `internalRecords`, i.e. where `homelab-mail:unifi` is configured.
 */
import type { InternalRecordOutput } from "../../lib/outputs";
import type { Check } from "../context";
import { fail, pass, reason, warn, type CheckResult } from "../result";

export const internalDns: Check = async (ctx) =>
  Promise.all(
    (ctx.outputs.internalRecords ?? []).map(async (r) => {
      const id = `internal-dns:${r.name}`;
      try {
        return evaluateInternalRecord(
          r,
          await ctx.internalDns.records(r.type, r.name),
          ctx.internalDns.describe(),
        );
      } catch (err) {
        return fail(id, reason(err), "check the lab resolver given with --internal-dns (the UniFi gateway)");
      }
    }),
  );

/** Names lowercase without the final dot; IPv6 in its canonical compressed form. */
function canonical(type: InternalRecordOutput["type"], value: string): string {
  if (type === "AAAA") return new URL(`http://[${value}]`).hostname.slice(1, -1);
  return type === "CNAME" ? value.toLowerCase().replace(/\.$/, "") : value;
}

export function evaluateInternalRecord(
  r: InternalRecordOutput,
  answers: string[],
  resolver: string,
): CheckResult {
  const id = `internal-dns:${r.name}`;
  const want = canonical(r.type, r.value);
  const got = answers.map((a) => canonical(r.type, a));
  if (got.length === 0) {
    return fail(
      id,
      `${resolver} has no ${r.type} record for ${r.name}`,
      "run pulumi up (it keeps the record on the UniFi console), or point --internal-dns at the lab's resolver",
    );
  }
  if (!got.includes(want)) {
    return fail(
      id,
      `${r.name} ${r.type} is ${got.join(", ")} at ${resolver}, the stack declares ${want}`,
      "run pulumi up --refresh, then pulumi up, to restore the declared record",
    );
  }
  if (got.length > 1) {
    const extra = got.filter((a) => a !== want);
    return warn(
      id,
      `${r.name} ${r.type} answers ${want} and also ${extra.join(", ")}`,
      `remove the extra ${r.type} record on the UniFi console: clients pick any answer`,
    );
  }
  return pass(id, `${r.name} ${r.type} ${want}`);
}
