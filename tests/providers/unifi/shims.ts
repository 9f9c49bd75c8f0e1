/** The `__provider` of the UniFi kind only, for serializeProviders: the same shim text, serialized faster. */
import { KIND } from "../../../providers/unifi/dnsRecord";
import { shimProvider } from "../../../providers/shim";

export function providers() {
  return { [KIND]: shimProvider(KIND) };
}
