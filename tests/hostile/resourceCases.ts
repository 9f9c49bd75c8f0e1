/**
 * Hostile values handed straight to each resource (a program that skips the stack-config
 * validation), with the property `check` must name. The target (`endpoint`, or `sshHost` and
 * `sshPort`) is added by the test; a case that sets it attacks the target itself.
 */
export type ResourceCase = [kind: string, inputs: Record<string, unknown>, property: string];

const CYRILLIC_A = "\u0430";
const CYRILLIC_O = "\u043e";
const ACCOUNT = { type: "individual", name: "noreply", emails: ["noreply@example.net"] };
const RECORD = { name: "pmg.lab.local", type: "A", value: "192.0.2.10" };
const FETCHMAIL = {
  server: "imap.gmail.com",
  user: "lab-personal-box@example.com",
  localNames: ["thehive@example.net"],
  fallbackRecipient: "postmaster@example.net",
};
const SASL = { relayHost: "smtp.gmail.com", relayPort: 587, username: "lab-personal-box@example.com" };

export const PMG_CASES: ResourceCase[] = [
  ["pmg:PmgTrustedNetwork", { cidr: "0.0.0.0/0" }, "cidr"],
  ["pmg:PmgTrustedNetwork", { cidr: "192.0.2.0/24 #x" }, "cidr"],
  // issue 14: a public range is an open relay unless acknowledged
  ["pmg:PmgTrustedNetwork", { cidr: "1.0.0.0/8" }, "cidr"],
  ["pmg:PmgTrustedNetwork", { cidr: "8.8.8.0/24", acknowledgePublic: false }, "cidr"],
  ["pmg:PmgTrustedNetwork", { cidr: "2000::/8" }, "cidr"],
  ["pmg:PmgTrustedNetwork", { cidr: "8.8.8.0/24", acknowledgePublic: "yes" }, "acknowledgePublic"],
  ["pmg:PmgTrustedNetwork", { cidr: "192.0.2.0/24", comment: "x\n10.0.0.0/8" }, "comment"],
  ["pmg:PmgRelayDomain", { domain: "example.net\nevil.example" }, "domain"],
  ["pmg:PmgRelayDomain", { domain: `ex${CYRILLIC_A}mple.net` }, "domain"],
  ["pmg:PmgRelayDomain", { domain: "example.net", comment: "x".repeat(5000) }, "comment"],
  ["pmg:PmgDkimDomain", { domain: "../../etc" }, "domain"],
  ["pmg:PmgTransport", { domain: "example.net", host: "[192.0.2.20]:25" }, "host"],
  ["pmg:PmgTransport", { domain: "example.net", host: "192.0.2.20", port: 0 }, "port"],
  ["pmg:PmgTransport", { domain: "example.net", host: "192.0.2.20", protocol: "smtp;rm" }, "protocol"],
  ["pmg:PmgTransport", { domain: "example.net", host: "192.0.2.20", useMx: "1" }, "useMx"],
  ["pmg:PmgSmarthost", { host: "$(reboot)" }, "host"],
  ["pmg:PmgSmarthost", { host: "smtp.gmail.com", port: 1e6 }, "port"],
  ["pmg:PmgDkimSigning", { enabled: "true" }, "enabled"],
  ["pmg:PmgDkimSigning", { enabled: true, useDomain: "both" }, "useDomain"],
  ["pmg:PmgDkimSelector", { selector: "../pmg2026", keySize: 2048 }, "selector"],
  ["pmg:PmgDkimSelector", { selector: "pmg2026", keySize: 100000 }, "keySize"],
  ["pmg:PmgTrustedNetwork", { cidr: "192.0.2.0/24", password: "hunter2" }, "password"],
  [
    "pmg:PmgSmarthost",
    { host: "smtp.gmail.com", endpoint: "https://root:hunter2@192.0.2.30:8006" },
    "endpoint",
  ],
];

export const STALWART_CASES: ResourceCase[] = [
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, type: "admin" }, "type"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, name: "noreply\nadmin" }, "name"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, name: `n${CYRILLIC_O}reply` }, "name"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, name: "a".repeat(100) }, "name"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, name: "../admin" }, "name"],
  ["stalwart:StalwartPrincipal", { type: "domain", name: "exa mple.net" }, "name"],
  ["stalwart:StalwartPrincipal", { type: "domain", name: `ex${CYRILLIC_A}mple.net` }, "name"],
  ["stalwart:StalwartPrincipal", { type: "domain", name: "example.net", memberOf: ["admins"] }, "memberOf"],
  [
    "stalwart:StalwartPrincipal",
    { ...ACCOUNT, emails: ["noreply@example.net\r\nBcc: x@evil.example"] },
    "emails[0]",
  ],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, emails: [`noreply@ex${CYRILLIC_A}mple.net`] }, "emails[0]"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, emails: [] }, "emails"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, emails: "noreply@example.net" }, "emails"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, description: "x".repeat(600) }, "description"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, description: "ok\u001b[31mred" }, "description"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, roles: ["user; DROP TABLE"] }, "roles[0]"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, roles: [] }, "roles"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, quota: -1 }, "quota"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, quota: 1.5 }, "quota"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, allowMailboxDeletion: "yes" }, "allowMailboxDeletion"],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, endpoint: "file:///etc/passwd" }, "endpoint"],
  [
    "stalwart:StalwartPrincipal",
    { ...ACCOUNT, endpoint: "http://admin:hunter2@192.0.2.20:8080" },
    "endpoint",
  ],
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, password: "hunter2" }, "password"],
  // Plain http off loopback: the stack config does not acknowledge it (issue 14, item 3).
  ["stalwart:StalwartPrincipal", { ...ACCOUNT, endpoint: "http://192.0.2.20:8080" }, "endpoint"],
  [
    "stalwart:StalwartPrincipal",
    { type: "domain", name: "example.net", endpoint: "http://10.0.0.5" },
    "endpoint",
  ],
];

export const UNIFI_CASES: ResourceCase[] = [
  ["unifi:UnifiDnsRecord", { ...RECORD, name: "pmg.lab.local\nevil" }, "name"],
  ["unifi:UnifiDnsRecord", { ...RECORD, name: `pmg.lab.l${CYRILLIC_O}cal` }, "name"],
  ["unifi:UnifiDnsRecord", { ...RECORD, name: `${"a".repeat(64)}.lab.local` }, "name"],
  ["unifi:UnifiDnsRecord", { ...RECORD, type: "TXT" }, "type"],
  ["unifi:UnifiDnsRecord", { ...RECORD, value: "192.0.2.300" }, "value"],
  ["unifi:UnifiDnsRecord", { ...RECORD, value: "2001:db8::1" }, "value"],
  ["unifi:UnifiDnsRecord", { ...RECORD, type: "AAAA", value: "192.0.2.10" }, "value"],
  ["unifi:UnifiDnsRecord", { ...RECORD, type: "CNAME", value: "$(reboot)" }, "value"],
  ["unifi:UnifiDnsRecord", { ...RECORD, type: "CNAME", value: "pmg.lab.local" }, "value"],
  ["unifi:UnifiDnsRecord", { ...RECORD, ttl: -1 }, "ttl"],
  ["unifi:UnifiDnsRecord", { ...RECORD, ttl: "300" }, "ttl"],
  ["unifi:UnifiDnsRecord", { ...RECORD, enabled: "true" }, "enabled"],
  ["unifi:UnifiDnsRecord", { ...RECORD, site: "../default" }, "site"],
  ["unifi:UnifiDnsRecord", { ...RECORD, endpoint: "http://192.0.2.1" }, "endpoint"],
  ["unifi:UnifiDnsRecord", { ...RECORD, apiKey: "hunter2" }, "apiKey"],
];

export const PMGHOST_CASES: ResourceCase[] = [
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, server: "imap.gmail.com; rm -rf /" }, "server"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, user: "box@example.com\nmda /bin/sh" }, "user"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, folder: 'INBOX" user "x' }, "folder"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, folder: "Entwürfe" }, "folder"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, pollSeconds: 1 }, "pollSeconds"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, port: 0 }, "port"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, password: "hunter2" }, "password"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, sshHost: "pmg;id" }, "sshHost"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, sshPort: 70000 }, "sshPort"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, localNames: ["a@example.net\nmda /bin/sh"] }, "localNames[0]"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, localNames: [] }, "localNames"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, fallbackRecipient: "postmaster" }, "fallbackRecipient"],
  // issue 11: Cloudflare's `<original> <box>` pair reads as one address, so all mail would go to the fallback
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, envelope: "X-Forwarded-For" }, "envelope"],
  ["pmghost:FetchmailConfig", { ...FETCHMAIL, envelope: 'X-To"; mda "/bin/sh' }, "envelope"],
  ["pmghost:SaslPasswordMap", { ...SASL, relayHost: "smtp.gmail.com:587" }, "relayHost"],
  ["pmghost:SaslPasswordMap", { ...SASL, relayPort: "587" }, "relayPort"],
  ["pmghost:SaslPasswordMap", { ...SASL, username: "box@gmail.com\n[x]:y" }, "username"],
  ["pmghost:SaslPasswordMap", { ...SASL, username: "box:pw@gmail.com" }, "username"],
  // issue 16: SMTPS would need wrapper mode for every delivery
  ["pmghost:SmarthostTlsPolicy", { relayHost: "smtp.gmail.com", relayPort: 465 }, "relayPort"],
  ["pmghost:SmarthostTlsPolicy", { relayHost: "smtp.gmail.com\n* none", relayPort: 587 }, "relayHost"],
  ["pmghost:PostfixTemplateBlock", { parameters: {} }, "parameters"],
  [
    "pmghost:PostfixTemplateBlock",
    { parameters: { relayhost: "x\nmydestination = evil" } },
    "parameters.relayhost",
  ],
  [
    "pmghost:PostfixTemplateBlock",
    { parameters: { relayhost: "[% INCLUDE /etc/shadow %]" } },
    "parameters.relayhost",
  ],
  ["pmghost:PostfixTemplateBlock", { parameters: { "evil key": "x" } }, "parameters.evil key"],
  ["pmghost:PmgConfigSync", { triggers: { sasl: -1 } }, "triggers.sasl"],
  ["pmghost:PmgConfigSync", { triggers: { sasl: 1 }, expect: { relayhost: "a\nb" } }, "expect.relayhost"],
];
