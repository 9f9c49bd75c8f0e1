/** Every dynamic resource kind of this project, by the kind its shim carries in state. */
import type * as pulumi from "@pulumi/pulumi";
import * as dkimDomain from "./pmg/dkimDomain";
import * as dkimSelector from "./pmg/dkimSelector";
import * as dkimSigning from "./pmg/dkimSigning";
import * as relayDomain from "./pmg/relayDomain";
import * as smarthost from "./pmg/smarthost";
import * as transport from "./pmg/transport";
import * as trustedNetwork from "./pmg/trustedNetwork";

const modules = [dkimDomain, dkimSelector, dkimSigning, relayDomain, smarthost, transport, trustedNetwork];

export const registry: Record<string, pulumi.dynamic.ResourceProvider> = Object.fromEntries(
  modules.map((m) => [m.KIND, m.provider as pulumi.dynamic.ResourceProvider]),
);
