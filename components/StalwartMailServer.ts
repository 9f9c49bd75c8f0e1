import * as pulumi from "@pulumi/pulumi";
import type { StalwartConfig } from "../lib/config";
import { PLAIN_HTTP_WARNING, plainHttpOverNetwork } from "../lib/config/plainHttp";
import type { AccountOutput, ImapOutput } from "../lib/outputs";
import { StalwartPrincipal } from "../providers/stalwart/principal";

export interface StalwartMailServerArgs {
  /** Validated `homelab-mail:stalwart`. */
  readonly stalwart: StalwartConfig;
  /** Mail domains Stalwart holds mailboxes for: one domain principal each. */
  readonly domains: string[];
}

/**
 * Stalwart's domains and service accounts (the CTI tools' mailboxes), each account with its own
 * password, and what other stacks need to log in: IMAP endpoint, login names, addresses, passwords.
 */
export class StalwartMailServer extends pulumi.ComponentResource {
  readonly domains: StalwartPrincipal[];
  /** By account name. */
  readonly accounts: Record<string, StalwartPrincipal>;
  /** Everything mail delivery to Stalwart needs to exist first (PMG's transports wait for these). */
  readonly resources: pulumi.Resource[];
  readonly imap: ImapOutput;
  /** By account name: IMAP login, addresses and password; the whole map is secret because passwords are. */
  readonly accountOutputs: pulumi.Output<Record<string, AccountOutput>>;

  constructor(name: string, args: StalwartMailServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:stalwart:StalwartMailServer", name, {}, opts);
    const { stalwart } = args;
    const endpoint = stalwart.endpoint;
    // Accepted by config only with homelab-mail:stalwart.allowPlainHttp: say so on every run (issue 14).
    if (plainHttpOverNetwork(endpoint)) void pulumi.log.warn(PLAIN_HTTP_WARNING(endpoint), this);
    const child = { parent: this };

    this.domains = args.domains.map(
      (domain) =>
        new StalwartPrincipal(
          `${name}-domain-${domain}`,
          // Undeclared, the description is not managed: an adopted domain keeps its own.
          { endpoint, type: "domain", name: domain, description: stalwart.domainDescriptions?.[domain] },
          child,
        ),
    );
    this.accounts = {};
    for (const a of stalwart.accounts) {
      this.accounts[a.name] = new StalwartPrincipal(
        `${name}-account-${a.name}`,
        {
          endpoint,
          type: "individual",
          name: a.name,
          emails: a.emails,
          description: a.description,
          roles: a.roles ?? ["user"],
          quota: a.quota ?? 0,
          allowMailboxDeletion: a.allowMailboxDeletion ?? false,
        },
        {
          ...child,
          // Every address needs its domain first; deleting goes the other way round.
          dependsOn: this.domains,
          // A renamed account is the same mailbox: with its former names listed, the engine updates it in place.
          aliases: (a.formerNames ?? []).map((former) => ({ name: `${name}-account-${former}` })),
        },
      );
    }
    this.resources = [...this.domains, ...Object.values(this.accounts)];
    this.imap = stalwart.imap;
    this.accountOutputs = pulumi.secret(
      pulumi
        .all(
          Object.entries(this.accounts).map(([key, p]) =>
            pulumi
              .all([p.loginName, p.emails, p.password])
              .apply(
                ([login, addresses, password]) =>
                  [key, { login: login ?? "", addresses, password: password ?? "" }] as const,
              ),
          ),
        )
        .apply((entries) => Object.fromEntries(entries)),
    );
    this.registerOutputs({ imap: this.imap, accounts: this.accountOutputs });
  }
}
