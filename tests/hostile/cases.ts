/**
 * Bad and malicious stack-config values, each with the config key its error must name.
 * Categories follow issue 8: malformed names and networks, ports, over-long fields, control
 * characters, shell and fetchmail-rc metacharacters, unicode look-alikes, secrets in plain fields.
 */
export interface HostileCase {
  readonly category: string;
  /** Config path below `homelab-mail:`, e.g. `pmg.trustedNetworks[0]`. */
  readonly path: string;
  readonly value: unknown;
  /** The key the error must name (default: path). */
  readonly names?: string;
  /** A top-level secret key set without `--secret` (path is the key): read through Pulumi's runtime. */
  readonly plainSecret?: boolean;
}

const LONG = "a".repeat(300);
const CYRILLIC_A = "\u0430";

export const CASES: HostileCase[] = [
  // malformed domains
  { category: "domain", path: "domains[0].name", value: "example" },
  { category: "domain", path: "domains[0].name", value: "exa mple.net" },
  { category: "domain", path: "domains[0].name", value: "-example.net" },
  { category: "domain", path: "domains[0].name", value: "example..net" },
  { category: "domain", path: "domains[0].name", value: "*.example.net" },
  { category: "domain", path: "domains[0].name", value: "192.0.2.1" },
  { category: "domain", path: "domains[0].name", value: `${"a".repeat(64)}.net` },
  { category: "domain", path: "domains[0].cloudflareZoneId", value: "not-a-zone" },
  { category: "domain", path: "domains[0].cloudflareZoneId", value: 123456 },
  // CIDRs
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "0.0.0.0/0" },
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "10.0.0.0/7" },
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "192.0.2.0/33" },
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "192.0.2.5/24" },
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "192.0.2.0" },
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "256.0.0.0/8" },
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "2001:DB8::/32" },
  { category: "cidr", path: "pmg.trustedNetworks[0]", value: "::/0" },
  // e-mail addresses
  { category: "email", path: "routing.serviceAddresses[0]", value: "noreply" },
  { category: "email", path: "routing.serviceAddresses[0]", value: "a@b@example.net" },
  { category: "email", path: "routing.serviceAddresses[0]", value: "no reply@example.net" },
  { category: "email", path: "routing.serviceAddresses[0]", value: "noreply@elsewhere.example" },
  { category: "email", path: "routing.serviceDestination", value: "box@" },
  { category: "email", path: "stalwart.accounts[0].emails[0]", value: ".opencti@example.net" },
  // ports and numbers
  { category: "port", path: "pmg.smarthost.port", value: 0 },
  { category: "port", path: "pmg.smarthost.port", value: 65536 },
  { category: "port", path: "pmg.smarthost.port", value: "587" },
  { category: "port", path: "pmg.transport.port", value: -25 },
  { category: "port", path: "pmg.ssh.port", value: 22.5 },
  { category: "port", path: "fetchmail.port", value: 99999 },
  { category: "number", path: "fetchmail.pollSeconds", value: 1 },
  { category: "number", path: "pmg.dkim.keySize", value: 512 },
  { category: "number", path: "pmg.dkim.keySize", value: 1e9 },
  // over-long fields
  { category: "length", path: "stalwart.accounts[0].name", value: LONG },
  { category: "length", path: "pmg.smarthost.host", value: `${LONG}.example.net` },
  { category: "length", path: "pmg.dkim.selector", value: "s".repeat(70) },
  // control characters
  { category: "control", path: "fetchmail.user", value: "box@example.com\nset daemon 1" },
  { category: "control", path: "fetchmail.folder", value: "INBOX\u0000" },
  { category: "control", path: "pmg.username", value: "root@pam\r\n" },
  { category: "control", path: "stalwart.accounts[0].description", value: "ok\u001b[31mred" },
  { category: "control", path: "stalwart.username", value: "admin\t" },
  // shell metacharacters
  { category: "shell", path: "pmg.ssh.host", value: "pmg; rm -rf /" },
  { category: "shell", path: "pmg.ssh.user", value: "$(id)" },
  { category: "shell", path: "pmg.ssh.user", value: "`reboot`" },
  { category: "shell", path: "pmg.smarthost.host", value: "smtp.gmail.com|nc" },
  { category: "shell", path: "fetchmail.server", value: "imap.gmail.com && curl x" },
  { category: "shell", path: "pmg.transport.host", value: "192.0.2.20'" },
  // fetchmail rc metacharacters (in values the rc grammar would read as keywords)
  { category: "fetchmail-rc", path: "fetchmail.server", value: 'imap.gmail.com" user "x' },
  { category: "fetchmail-rc", path: "fetchmail.server", value: "imap.gmail.com # comment" },
  { category: "fetchmail-rc", path: "fetchmail.folder", value: "INBOX\nmda /bin/sh" },
  // unicode look-alikes
  { category: "unicode", path: "domains[0].name", value: `ex${CYRILLIC_A}mple.net` },
  { category: "unicode", path: "pmg.smarthost.host", value: `smtp.gm${CYRILLIC_A}il.com` },
  {
    category: "unicode",
    path: "routing.personalDestination",
    value: `lab-personal-box@ex${CYRILLIC_A}mple.com`,
  },
  { category: "unicode", path: "pmg.dkim.selector", value: "pmg２０２６" },
  // secrets in non-secret fields
  { category: "secret", path: "pmg.endpoint", value: "https://root:hunter2@pmg.lab.example.net:8006" },
  { category: "secret", path: "pmg.password", value: "hunter2" },
  { category: "secret", path: "stalwart.adminPassword", value: "hunter2" },
  { category: "secret", path: "fetchmail.pass", value: "hunter2" },
  { category: "secret", path: "stalwart.endpoint", value: "http://admin:hunter2@192.0.2.20:8080" },
  // issue 14: credentials in sub-blocks, and secret keys set without --secret
  { category: "secret", path: "pmg.smarthost.password", value: "hunter2" },
  { category: "secret", path: "pmg.ssh.privateKey", value: "hunter2" },
  { category: "secret", path: "pmg.ssh.password", value: "hunter2" },
  { category: "secret", path: "pmg.transport.password", value: "hunter2" },
  { category: "secret", path: "pmg.dkim.privateKey", value: "hunter2" },
  { category: "secret", path: "stalwart.accounts[0].password", value: "hunter2" },
  { category: "plain-secret", path: "pmgPassword", value: "hunter2", plainSecret: true },
  { category: "plain-secret", path: "pmgSshPrivateKey", value: "hunter2", plainSecret: true },
  { category: "plain-secret", path: "gmailSmarthostPassword", value: "hunter2", plainSecret: true },
  { category: "plain-secret", path: "smarthostPassword", value: "hunter2", plainSecret: true },
  // issue 14: public ranges as trusted networks (an open relay)
  { category: "open-relay", path: "pmg.trustedNetworks[0]", value: "1.0.0.0/8" },
  { category: "open-relay", path: "pmg.trustedNetworks[0]", value: "64.0.0.0/8" },
  { category: "open-relay", path: "pmg.trustedNetworks[0]", value: "8.8.8.0/24" },
  { category: "open-relay", path: "pmg.trustedNetworks[0]", value: "172.0.0.0/8" },
  { category: "open-relay", path: "pmg.trustedNetworks[0]", value: "2000::/8" },
  { category: "open-relay", path: "pmg.trustedNetworks[0]", value: "2a00:1450::/32" },
  {
    category: "open-relay",
    path: "pmg.acknowledgePublicNetworks",
    value: ["9.9.9.0/24"],
    names: "pmg.acknowledgePublicNetworks[0]",
  },
  // endpoints and fingerprints
  { category: "endpoint", path: "pmg.endpoint", value: "http://pmg.lab.example.net:8006" },
  { category: "endpoint", path: "pmg.endpoint", value: "file:///etc/passwd" },
  { category: "endpoint", path: "pmg.tlsFingerprint", value: "AA:BB" },
  { category: "endpoint", path: "pmg.ssh.hostKey", value: "ssh-ed25519 AAAA... root@pmg; echo" },
  // Stalwart over plain http off loopback, without homelab-mail:stalwart.allowPlainHttp (issue 14, item 3)
  { category: "endpoint", path: "stalwart.endpoint", value: "http://192.0.2.20:8080" },
  { category: "endpoint", path: "stalwart.endpoint", value: "http://mail.lab.example.net:8080" },
  { category: "endpoint", path: "stalwart.endpoint", value: "http://[2001:db8::20]:8080" },
  { category: "endpoint", path: "stalwart.allowPlainHttp", value: "yes" },
];
