import { MailChain } from "./components/MailChain";
import { loadStackConfig } from "./lib/stackConfig";

const chain = new MailChain("homelab-mail", { config: loadStackConfig() });

export const smtpRelay = chain.smtpRelay;
export const dkim = chain.dkim;
export const pendingSteps = chain.pendingSteps;
