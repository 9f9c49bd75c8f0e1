// The verify test bed: real Postfix, Dovecot and BIND from Debian on loopback high ports, plus the
// PMG stand-in for PMG's API, all configured in one temporary directory (never the machine's /etc or
// standard ports), with the stack outputs that describe this set-up. Test credentials are made here.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BASE_SPF_INCLUDES } from "../../../lib/config";
import type { MailChainOutputs } from "../../../lib/outputs";
import { dmarcValue, spfValue } from "../../../lib/records";
import { PmgClient } from "../../../providers/pmg/client";
import { fetchPmgDkim } from "../../../verify/pmg";
import { startPmgServer, type PmgTestServer } from "../../servers/pmg/server";
import { selfSignedCertificate } from "../../servers/tls";
import { startBind } from "./bind";
import type { Daemon } from "./daemon";
import { startDovecot } from "./dovecot";
import { freePort } from "./net";
import { startPostfix } from "./postfix";
import { brokenZones, healthyZones } from "./zones";

export interface MailBed {
  readonly dir: string;
  /** Outputs of a stack whose chain is this bed, every part healthy. */
  readonly outputs: MailChainOutputs;
  /** `--dns` for the healthy records, and for the broken ones. */
  readonly dnsHealthy: string;
  readonly dnsBroken: string;
  /** The IMAP server's certificate (self-signed) and its SHA-256 fingerprint. */
  readonly certFile: string;
  readonly fingerprint: string;
  /** A relay port that refuses every recipient. */
  readonly refusingRelayPort: number;
  readonly pmg: PmgTestServer;
  /** PMG access as verify reads it from the environment. */
  readonly pmgEnv: Record<string, string>;
  /** Every credential the bed made: none may appear in verify's output. */
  readonly secrets: string[];
  readonly daemons: Daemon[];
  stop(): Promise<void>;
}

const ACCOUNTS = { alice: ["alice@example.net"], bob: ["bob@example.org"] };
/** Accepted by the relay for alice's mailbox, then held in the queue: it never arrives. */
export const HELD_ADDRESS = "held@example.net";

export async function startMailBed(): Promise<MailBed> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-mail-verify-"));
  // Postfix and Dovecot read their configuration and mail here as their own users.
  fs.chmodSync(dir, 0o755);
  const started: Daemon[] = [];
  let pmg: PmgTestServer | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(started.map((d) => d.stop()));
    await pmg?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const uid = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
    const cert = selfSignedCertificate("pmg-test-server");
    const certFile = path.join(dir, "cert.pem");
    const keyFile = path.join(dir, "key.pem");
    fs.writeFileSync(certFile, cert.certPem);
    fs.writeFileSync(keyFile, cert.keyPem, { mode: 0o600 });
    const mailRoot = path.join(dir, "mail");
    const passwords = Object.fromEntries(
      Object.keys(ACCOUNTS).map((a) => [a, randomBytes(12).toString("base64url")]),
    );
    for (const name of Object.keys(ACCOUNTS)) fs.mkdirSync(path.join(mailRoot, name), { recursive: true });
    execFileSync("chown", ["-R", `${uid}:${uid}`, mailRoot]);

    pmg = await startPmgServer({ authFailureDelayMs: 50 });
    const pmgAccess = {
      endpoint: `https://127.0.0.1:${pmg.port}`,
      username: pmg.username,
      password: pmg.password,
      tlsFingerprint: pmg.fingerprint,
    };
    const client = new PmgClient(pmgAccess);
    await client.create("/config/dkim/selector", { selector: "pmg2026", keysize: 2048 });
    await client.update("/config/admin", { dkim_sign: true });
    await client.close();
    const key = (await fetchPmgDkim(pmgAccess)).txtValue!;

    const [smtp, refusing, imap, dns, badDns] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(true),
      await freePort(true),
    ];
    const outputs: MailChainOutputs = {
      smtpRelay: { host: "127.0.0.1", port: smtp, auth: "none (trusted networks)" },
      imap: { host: "127.0.0.1", port: imap, security: "starttls" },
      accounts: Object.fromEntries(
        Object.entries(ACCOUNTS).map(([name, addresses]) => [
          name,
          { login: name, addresses, password: passwords[name] },
        ]),
      ),
      dkim: Object.fromEntries(
        ["example.net", "example.org"].map((d) => [d, { name: `pmg2026._domainkey.${d}`, value: key }]),
      ),
      pendingSteps: [],
      mailRecords: {
        "example.net": {
          spf: spfValue({ includes: BASE_SPF_INCLUDES }),
          dmarc: dmarcValue({ policy: "none", reportTo: "postmaster@example.net" }),
        },
        "example.org": {
          spf: spfValue({ includes: BASE_SPF_INCLUDES, all: "-all" }),
          dmarc: dmarcValue({ policy: "quarantine" }),
        },
      },
      internalRecords: [
        { name: "pmg.lab.local", type: "A", value: "192.0.2.10" },
        { name: "mail.lab.local", type: "A", value: "192.0.2.20" },
      ],
    };
    const mailboxes = Object.fromEntries(
      Object.entries(ACCOUNTS).flatMap(([name, addrs]) => addrs.map((a) => [a, `${name}/Maildir/`])),
    );
    mailboxes[HELD_ADDRESS] = "alice/Maildir/";
    const daemons = await Promise.all(
      [
        startPostfix({
          dir: path.join(dir, "postfix"),
          port: smtp,
          refusingPort: refusing,
          mailboxes,
          held: [HELD_ADDRESS],
          mailRoot,
          uid,
          certFile,
          keyFile,
        }),
        startDovecot({
          dir: path.join(dir, "dovecot"),
          port: imap,
          uid,
          certFile,
          keyFile,
          users: Object.keys(ACCOUNTS).map((n) => ({
            login: n,
            password: passwords[n],
            home: path.join(mailRoot, n),
          })),
        }),
        startBind({ dir: path.join(dir, "dns-healthy"), port: dns, zones: healthyZones(outputs) }),
        startBind({ dir: path.join(dir, "dns-broken"), port: badDns, zones: brokenZones(outputs) }),
      ].map((p) => p.then((d) => (started.push(d), d))),
    );
    return {
      dir,
      outputs,
      dnsHealthy: `127.0.0.1:${dns}`,
      dnsBroken: `127.0.0.1:${badDns}`,
      certFile,
      fingerprint: cert.fingerprint,
      refusingRelayPort: refusing,
      pmg,
      pmgEnv: {
        PMG_ENDPOINT: pmgAccess.endpoint,
        PMG_USERNAME: pmg.username,
        PMG_PASSWORD: pmg.password,
        PMG_TLS_FINGERPRINT: pmg.fingerprint,
      },
      secrets: [...Object.values(passwords), pmg.password],
      daemons,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
