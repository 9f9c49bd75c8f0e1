/** The `__provider` of every resource kind, for serializeProviders (tests/harness/serialize.ts). */
import { registry } from "../../providers/registry";
import { shimProvider } from "../../providers/shim";

export function providers() {
  return Object.fromEntries(Object.keys(registry).map((kind) => [kind, shimProvider(kind)]));
}
