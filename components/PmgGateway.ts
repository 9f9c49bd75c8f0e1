import * as pulumi from "@pulumi/pulumi";
import type { PmgConfig } from "../lib/config";
import { PmgDkimDomain } from "../providers/pmg/dkimDomain";
import { PmgDkimSelector } from "../providers/pmg/dkimSelector";
import { PmgDkimSigning } from "../providers/pmg/dkimSigning";
import { PmgRelayDomain } from "../providers/pmg/relayDomain";
import { PmgSmarthost } from "../providers/pmg/smarthost";
import { PmgTransport } from "../providers/pmg/transport";
import { PmgTrustedNetwork } from "../providers/pmg/trustedNetwork";

export interface PmgGatewayArgs {
  /** Validated `homelab-mail:pmg`. */
  readonly pmg: PmgConfig;
  /** Mail domains PMG relays, transports to Stalwart and DKIM-signs. */
  readonly domains: string[];
  /** Resources PMG's transports must wait for (Stalwart's domains and accounts). */
  readonly transportsAfter?: pulumi.Input<pulumi.Resource>[];
  /**
   * Resources the smarthost must wait for: the SASL map and main.cf block on the PMG host. Without
   * them Gmail answers 530 and Postfix bounces outbound mail instead of deferring it.
   */
  readonly smarthostAfter?: pulumi.Input<pulumi.Resource>[];
}

/** Everything the mail chain needs from PMG's API: trusted networks, smarthost, domains, transports, DKIM. */
export class PmgGateway extends pulumi.ComponentResource {
  readonly selector: PmgDkimSelector;
  /** DKIM TXT value, `v=DKIM1; h=sha256; k=rsa; p=...`, straight from PMG's active key. */
  readonly dkimTxtValue: pulumi.Output<string>;
  /** `<selector>._domainkey`. */
  readonly dkimRecordName: string;
  /** PMG's internal port (`int_port`, default 26), where pmg.trustedNetworks relay: see PmgSmarthost. */
  readonly internalPort: pulumi.Output<number>;
  private readonly name: string;
  private readonly endpoint: string;
  private readonly signingDependsOn: pulumi.Resource[];

  constructor(name: string, args: PmgGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:pmg:PmgGateway", name, {}, opts);
    const { pmg } = args;
    // A comment left undeclared is not managed: an adopted object keeps the one it has (lib/config/labels.ts).
    const comments = pmg.comments ?? {};
    const endpoint = pmg.endpoint;
    this.name = name;
    this.endpoint = endpoint;
    const child = { parent: this };

    for (const cidr of pmg.trustedNetworks) {
      new PmgTrustedNetwork(
        `${name}-network-${cidr.replace("/", "-")}`,
        {
          endpoint,
          cidr,
          comment: comments.trustedNetworks?.[cidr],
          ...(pmg.acknowledgePublicNetworks?.includes(cidr) ? { acknowledgePublic: true } : {}),
        },
        child,
      );
    }
    const smarthost = new PmgSmarthost(
      `${name}-smarthost`,
      { endpoint, host: pmg.smarthost.host, port: pmg.smarthost.port },
      { ...child, dependsOn: args.smarthostAfter },
    );
    this.internalPort = smarthost.internalPort.apply((p) => Number(p ?? 26));

    const dkimDomains: PmgDkimDomain[] = [];
    for (const domain of args.domains) {
      new PmgRelayDomain(
        `${name}-relay-${domain}`,
        { endpoint, domain, comment: comments.relayDomains?.[domain] },
        child,
      );
      new PmgTransport(
        `${name}-transport-${domain}`,
        {
          endpoint,
          domain,
          host: pmg.transport.host,
          port: pmg.transport.port,
          protocol: pmg.transport.protocol,
          useMx: false,
          comment: comments.transports?.[domain],
        },
        { ...child, dependsOn: args.transportsAfter },
      );
      dkimDomains.push(
        new PmgDkimDomain(
          `${name}-dkim-${domain}`,
          { endpoint, domain, comment: comments.dkimDomains?.[domain] },
          child,
        ),
      );
    }

    this.selector = new PmgDkimSelector(
      `${name}-dkim-selector`,
      { endpoint, selector: pmg.dkim.selector, keySize: pmg.dkim.keySize },
      child,
    );
    this.dkimTxtValue = this.selector.txtValue;
    this.dkimRecordName = `${pmg.dkim.selector}._domainkey`;
    this.signingDependsOn = [this.selector, ...dkimDomains];
    this.registerOutputs({ dkimTxtValue: this.dkimTxtValue, dkimRecordName: this.dkimRecordName });
  }

  /**
   * Switches DKIM signing on once the DNS records publishing the key exist: mail signed with a key
   * DNS does not serve fails DKIM at every receiver.
   */
  enableSigning(publishedBy: pulumi.Resource[]): PmgDkimSigning {
    return new PmgDkimSigning(
      `${this.name}-dkim-signing`,
      { endpoint: this.endpoint, enabled: true },
      { parent: this, dependsOn: [...this.signingDependsOn, ...publishedBy] },
    );
  }
}
