/**
 * The lab's network plan: one network namespace of its own (netns.ts) where every lab host has
 * its own address on the namespace's loopback, so Postfix sees each client's real address and
 * PMG's trusted networks, port split and relay checks apply as on a LAN. The addresses are the
 * documentation ranges the project's example stack uses (RFC 5737 192.0.2.0/24 is one of its
 * trusted networks; RFC 2544 198.18.0.0/15 stands for the internet, outside them).
 */
export const LAB = {
  /** PMG: `pmg.ssh.host`, the transport's int_ip. */
  pmg: "192.0.2.10",
  /** Stalwart: `pmg.transport.host`; its SMTP receiver and IMAP. */
  stalwart: "192.0.2.20",
  /** A lab host in a trusted network (192.0.2.0/24) that sends through PMG. */
  labHost: "192.0.2.50",
  /** A host outside every trusted network. */
  outsider: "198.18.0.66",
  /** "Gmail": smtp.gmail.com (submission, 587) and imap.gmail.com (IMAPS, 993). */
  gmail: "198.18.0.25",
  /** The lab's DNS server (BIND) for every lab host. */
  dns: "127.0.0.1",
} as const;

/** PMG's ports: int_port and ext_port default to 26 and 25 (pmg-api src/PMG/Config.pm, `int_port`/`ext_port`). */
export const PMG_PORTS = { internal: 26, external: 25 } as const;

export const GMAIL_NAMES = ["smtp.gmail.com", "imap.gmail.com"] as const;
