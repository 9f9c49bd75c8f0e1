/**
 * The same PMG host through a new SSH address (IP to hostname): every host resource is replaced in
 * state, and the old resources' deletes at the end of the run leave the files the replacements
 * adopted (providers/claims.ts). Retiring `pmg.ssh` converges in one `up`, deleting nothing.
 */
import * as fs from "node:fs";
import { serializeProviders } from "../../harness/serialize";
import { startPmgHostBed, type PmgHostBed } from "../../servers/pmghost/server";
import { Stack, type Declared } from "../engine";
import { FETCHMAIL, SASL, TEMPLATE, testSecrets } from "./bed";

// Each engine operation starts its own provider host (5 to 20 s on a loaded 2-core machine), and a
// test here runs up to four operations.
jest.setTimeout(300_000);

let texts: Record<string, string>;
let bed: PmgHostBed;
const secrets = testSecrets();
beforeAll(async () => {
  [texts, bed] = await Promise.all([serializeProviders("tests/providers/shims.ts"), startPmgHostBed()]);
});
afterAll(() => bed?.close());

const SECRET = [
  "homelab-mail:pmgPassword",
  "homelab-mail:pmgSshPrivateKey",
  "homelab-mail:gmailFetchmailPassword",
  "homelab-mail:gmailSmarthostPassword",
];

function config(sshHost?: string): Record<string, string> {
  const pmg: Record<string, unknown> = { endpoint: "https://127.0.0.1:1", username: "root@pam" };
  if (sshHost) pmg.ssh = { host: sshHost, port: bed.port, user: bed.user, hostKey: bed.hostKey };
  return {
    "homelab-mail:pmg": JSON.stringify(pmg),
    "homelab-mail:pmgPassword": "unused-in-these-tests",
    "homelab-mail:pmgSshPrivateKey": bed.privateKey,
    "homelab-mail:gmailFetchmailPassword": secrets.fetchmail,
    "homelab-mail:gmailSmarthostPassword": secrets.smarthost,
  };
}

function program(sshHost: string): Record<string, Declared> {
  const t = { sshHost, sshPort: bed.port };
  return {
    fetchmail: {
      kind: FETCHMAIL,
      inputs: {
        ...t,
        server: "imap.gmail.com",
        user: "lab-service-box@example.com",
        localNames: ["thehive@example.net"],
        fallbackRecipient: "postmaster@example.net",
      },
    },
    sasl: {
      kind: SASL,
      inputs: { ...t, relayHost: "smtp.gmail.com", relayPort: 587, username: "lab-service-box@example.com" },
    },
    template: { kind: TEMPLATE, inputs: { ...t, parameters: { smtp_sasl_auth_enable: "yes" } } },
  };
}

// The fetchmail account lives in PMG's template override and PMG's rendered file (/etc/fetchmailrc is PMG's link to it).
const FILES = [
  "etc/pmg/templates/fetchmailrc.tt",
  "etc/postfix/sasl_passwd",
  "etc/pmg/templates/main.cf.in",
  "etc/pmg/fetchmailrc",
];
const files = () =>
  FILES.map((f) => (fs.existsSync(bed.path(f)) ? fs.readFileSync(bed.path(f), "utf8") : null));

describe("the PMG host through a new SSH address", () => {
  it("replaces every host resource in state and deletes no file on the host", async () => {
    const stack = new Stack(texts, SECRET);
    await stack.up(config("127.0.0.1"), program("127.0.0.1"));
    const before = files();
    expect(before.every((f) => f !== null)).toBe(true);
    expect(before[2]).toMatch(/smtp_sasl_auth_enable = yes/);

    const steps = await stack.up(config("localhost"), program("localhost"));
    expect(steps).toEqual({ fetchmail: "replace", sasl: "replace", template: "replace" });
    expect(files()).toEqual(before);
    expect([...stack.resources.values()].map((r) => r.state.outputs.sshHost)).toEqual([
      "localhost",
      "localhost",
      "localhost",
    ]);

    // Retiring pmg.ssh (the host's block and resources removed): one `up`, the files stay.
    expect(await stack.up(config(), {})).toEqual({ template: "delete", sasl: "delete", fetchmail: "delete" });
    expect(files()).toEqual(before);
    expect(await stack.up(config(), {})).toEqual({});
  });
});
