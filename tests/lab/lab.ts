/**
 * The lab: a whole mail chain of real processes in a network namespace of its own, with the real
 * program deployed into it. `startLab()` builds it (about 15 s), `lab.deploy()` runs the program
 * (again: the second run must write nothing), the scenarios send and read mail. See docs/lab.md.
 * Needs root (network and mount namespaces, chroot, daemons switching users).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startProviderHost, type ProviderHost } from "../harness/providerHost";
import { serializeProviders } from "../harness/serialize";
import type { State } from "../providers/engine";
import { startPmgServer, type PmgTestServer } from "../servers/pmg/server";
import { CloudflareMockEngine } from "../components/cloudflareMock";
import { startCloudflareServer, type CloudflareTestServer } from "../servers/cloudflare/server";
import { startStalwartServer, type StalwartTestServer } from "../servers/stalwart/server";
import { LAB } from "./addresses";
import { makeLabCa, type LabCa } from "./ca";
import { exampleStack, labStack, PERSONAL_BOX, SERVICE_BOX, testAppPassword } from "./config";
import { deployProgram, type DeployResult } from "./deploy";
import { cloudflareRecords, startLabDns, type LabDns, type Rr } from "./dns";
import { startCloudflareForward, type CloudflareForward } from "./cloudflareForward";
import { startGmail, type LabGmail } from "./gmail";
import { startLabNet, type LabNet } from "./netns";
import { startLabPmgHost, type LabPmgHost } from "./pmg/host";
import { routedBox } from "./scenarios";
import { startStalwartMail, type LabStalwartMail, type StalwartAccount } from "./stalwartMail";

export interface Lab {
  readonly dir: string;
  readonly net: LabNet;
  readonly ca: LabCa;
  readonly pmg: PmgTestServer;
  readonly stalwart: StalwartTestServer;
  /** The Cloudflare stand-in (tests/servers/cloudflare): the DNS records and destinations the program writes. */
  readonly cloudflare: CloudflareTestServer;
  readonly gmail: LabGmail;
  /** Cloudflare's forward of what "Gmail" sends to the lab's domains, into the routed Gmail box. */
  readonly cloudflareForward: CloudflareForward;
  readonly pmgHost: LabPmgHost;
  /** The app password of the Gmail service box (test-only). */
  readonly appPassword: string;
  /** Owner of every lab mailbox. */
  readonly uid: number;
  /** Set once deployed. */
  readonly dns?: LabDns;
  readonly stalwartMail?: LabStalwartMail;
  readonly deployment?: DeployResult;
  /** Stack config (without secrets) and secrets of the lab's stack. */
  readonly config: Record<string, unknown>;
  readonly secrets: Record<string, string>;
  /** `pulumi up` of the program into the lab; returns this run's result. */
  deploy(): Promise<DeployResult>;
  /** Serves these records instead of the declared ones (a deliberate break), or the declared ones again. */
  serveDns(records?: Rr[]): Promise<void>;
  /** What happened so far, per hop, for people reading a failure. */
  logs(): string;
  stop(): Promise<void>;
}

/** A config key as the engine names it: `homelab-mail:` unless it names its namespace. */
const key = (k: string) => (k.includes(":") ? k : `homelab-mail:${k}`);

const TEXTS = Symbol.for("homelab-mail.lab.providerTexts");
function providerTexts(): Promise<Record<string, string>> {
  const holder = process as unknown as { [TEXTS]?: Promise<Record<string, string>> };
  return (holder[TEXTS] ??= serializeProviders("tests/providers/shims.ts"));
}

export async function startLab(opts: { log?: (line: string) => void } = {}): Promise<Lab> {
  const log = opts.log ?? (() => undefined);
  const texts = providerTexts();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-mail-lab-"));
  fs.chmodSync(dir, 0o755);
  const uid = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const net = await startLabNet(dir);
    stops.push(() => net.close());
    const ca = makeLabCa(path.join(dir, "ca"));
    const pmg = await startPmgServer({ authFailureDelayMs: 10 });
    stops.push(() => pmg.close());
    const stalwart = await startStalwartServer({ tls: true });
    stops.push(() => stalwart.close());
    const stack = exampleStack();
    const cloudflare = await startCloudflareServer({
      zones: (stack.domains as { name: string }[]).map((d) => d.name),
      zoneIds: (stack.domains as { cloudflareZoneId: string }[]).map((d) => d.cloudflareZoneId),
      accountId: String(stack.cloudflareAccountId),
    });
    stops.push(() => cloudflare.close());
    // Cloudflare's Pulumi-provider resources (routing rules, routing DNS) and the program's invokes
    // go to the same stand-in, as tests/components does; its dynamic resources go through the host.
    const cfEngine = new CloudflareMockEngine(cloudflare);
    const appPassword = testAppPassword();
    log("lab: network namespace, test CA, PMG and Stalwart API stand-ins up");
    const [gmail, pmgHost] = await Promise.all([
      startGmail({
        dir: path.join(dir, "gmail"),
        net,
        ca,
        uid,
        boxes: [
          { address: SERVICE_BOX, password: appPassword },
          { address: PERSONAL_BOX, password: testAppPassword() },
        ],
        cloudflareDomains: (stack.domains as { name: string }[]).map((d) => d.name),
      }),
      startLabPmgHost({ dir: path.join(dir, "pmg"), net, ca, pmg }),
    ]);
    stops.push(
      () => gmail.stop(),
      () => pmgHost.close(),
    );
    log(
      `lab: "Gmail" at ${LAB.gmail} (IMAPS 993, submission 587), PMG host at ${LAB.pmg} (Postfix from PMG's templates, sshd, OpenDKIM)`,
    );
    const ssh = await net.bridge("127.0.0.1", pmgHost.bed.port);
    stops.push(() => ssh.close());
    // DNS first with gmail.com only: the deployment's records are added once it declared them.
    let dns = await startLabDns({ dir: path.join(dir, "dns-0"), net, records: [] });
    let dnsGeneration = 0;
    stops.push(() => dns.stop());

    // Cloudflare's own namespace (the provider's keys), as the stack sets them.
    const raw = {
      "cloudflare:baseUrl": cloudflare.url,
      "homelab-mail:cloudflareTlsFingerprint": cloudflare.fingerprint,
    };
    const config = labStack({
      pmg: { port: pmg.port, fingerprint: pmg.fingerprint },
      stalwart: { url: stalwart.url, fingerprint: stalwart.fingerprint },
      ssh: { port: ssh.port, user: pmgHost.bed.user, hostKey: pmgHost.bed.hostKey },
    });
    const secrets = {
      "cloudflare:apiToken": cloudflare.apiToken,
      pmgPassword: pmg.password,
      stalwartPassword: stalwart.password,
      pmgSshPrivateKey: pmgHost.bed.privateKey,
      gmailFetchmailPassword: appPassword,
      gmailSmarthostPassword: appPassword,
    };
    const hosts: ProviderHost[] = [];
    stops.push(async () => void (await Promise.all(hosts.map((h) => h.close()))));
    let previous: Record<string, State> | undefined;
    let stalwartMail: LabStalwartMail | undefined;
    let deployment: DeployResult | undefined;
    const cloudflareForward = startCloudflareForward({
      from: gmail.toCloudflare,
      routedBox: (address) => routedBox(lab, address),
      boxMaildir: (box) => gmail.maildir(box),
      uid,
    });
    stops.push(async () => cloudflareForward.stop());

    const lab: Lab = {
      dir,
      net,
      ca,
      pmg,
      stalwart,
      cloudflare,
      gmail,
      cloudflareForward,
      pmgHost,
      appPassword,
      uid,
      config,
      secrets,
      get dns() {
        return dns;
      },
      get stalwartMail() {
        return stalwartMail;
      },
      get deployment() {
        return deployment;
      },
      async deploy() {
        // One provider host per `pulumi up`, configured with the stack's config as the engine does.
        const host = await startProviderHost();
        hosts.push(host);
        const all: Record<string, string> = {};
        for (const [k, v] of Object.entries(config))
          all[key(k)] = typeof v === "string" ? v : JSON.stringify(v);
        for (const [k, v] of Object.entries({ ...raw, ...secrets })) all[key(k)] = v;
        await host.configure(all, { secretKeys: Object.keys(secrets).map(key) });
        await cfEngine.beginRun(false);
        const result = await deployProgram({
          native: cfEngine,
          config: { ...config, ...raw },
          secrets,
          host,
          texts: await texts,
          previous,
        });
        await cfEngine.endRun();
        if (cfEngine.errors.length)
          throw new Error(`lab deployment: Cloudflare refused: ${cfEngine.errors.join("; ")}`);
        previous = { ...previous, ...result.state };
        deployment = result;
        // PMG's API rewrites Postfix's configuration after each change it accepts
        // (PMG::API2::Transport/MyNetworks/Domains call rewrite_config_postfix): once here.
        await pmgHost.sync();
        const records = cloudflareRecords(cloudflare);
        await dns.stop();
        dns = await startLabDns({ dir: path.join(dir, `dns-${++dnsGeneration}`), net, records });
        const accounts = result.exports.accounts as Record<
          string,
          { login: string; addresses: string[]; password: string }
        >;
        if (!stalwartMail) {
          const list: StalwartAccount[] = Object.values(accounts).map((a) => ({
            name: a.login,
            addresses: a.addresses,
            password: a.password,
          }));
          stalwartMail = await startStalwartMail({
            dir: path.join(dir, "stalwart"),
            net,
            ca,
            uid,
            accounts: list,
          });
          stops.push(() => stalwartMail!.stop());
        }
        log(
          `lab: deployed (${Object.values(result.steps).filter((s) => s !== "same").length} dynamic resources written)`,
        );
        return result;
      },
      async serveDns(records) {
        await dns.stop();
        const declared = cloudflareRecords(cloudflare);
        dns = await startLabDns({
          dir: path.join(dir, `dns-${++dnsGeneration}`),
          net,
          records: records ?? declared,
        });
      },
      logs() {
        const section = (t: string, s: string) => `--- ${t}\n${s.split("\n").slice(-60).join("\n")}`;
        return [
          section("PMG Postfix", pmgHost.maillog()),
          section("PMG fetchmail", pmgHost.fetchmailLog()),
          section("Gmail submission", gmail.smtp.logText()),
          section("Stalwart SMTP", stalwartMail?.smtp.logText() ?? ""),
        ].join("\n");
      },
      stop: stopAll,
    };
    return lab;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
