/**
 * A consumer stack (e.g. the one that runs TheHive) reading this stack's outputs, typed.
 * Type-checked with the project (tsconfig includes examples/); not part of the deployment.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AccountOutput, ImapOutput, SmtpRelayOutput } from "../lib/outputs";

const mail = new pulumi.StackReference("organization/homelab-mail/homelab");

const smtp = mail.requireOutput("smtpRelay") as pulumi.Output<SmtpRelayOutput>;
const imap = mail.requireOutput("imap") as pulumi.Output<ImapOutput>;
const accounts = mail.requireOutput("accounts") as pulumi.Output<Record<string, AccountOutput>>;

// The password stays a secret through the reference.
const thehive = accounts.apply((a) => a.thehive);
export const thehiveImap = pulumi.all([imap, thehive]).apply(([i, acc]) => ({
  url: `imap://${i.host}:${i.port}`,
  security: i.security,
  login: acc.login,
}));
export const thehivePassword = pulumi.secret(thehive.apply((acc) => acc.password));
export const alertsRelay = smtp.apply((s) => `${s.host}:${s.port}`);
