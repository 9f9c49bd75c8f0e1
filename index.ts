// First, before anything else loads: refuses a Node.js older than the dependencies need, in one line.
import "./lib/nodeFloor";
import { MailChain } from "./components/MailChain";
import { loadStackConfig } from "./lib/stackConfig";

const chain = new MailChain("homelab-mail", { config: loadStackConfig() });

export const smtpRelay = chain.smtpRelay;
export const dkim = chain.dkim;
export const pendingSteps = chain.pendingSteps;
export const imap = chain.imap;
export const accounts = chain.accounts;
export const mailRecords = chain.mailRecords;
export const internalRecords = chain.internalRecords;
export const routingStatus = chain.routingStatus;
