/**
 * Reads the stack outputs verify works from: `pulumi stack output --json --show-secrets` (the CLI
 * spawned, its output kept in memory and never printed), or a JSON file (`--outputs`). Their shape
 * is the contract in lib/outputs.ts; every problem with it is reported at once, each naming the field.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { HomelabMailError } from "../lib/errors";
import type { MailChainOutputs } from "../lib/outputs";

export type OutputsSource =
  { readonly kind: "file"; readonly path: string } | { readonly kind: "stack"; readonly stack?: string };

export async function loadOutputs(source: OutputsSource): Promise<MailChainOutputs> {
  const text = source.kind === "file" ? await readFileText(source.path) : await pulumiOutputs(source.stack);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // Not the parser's message: it quotes the text around the error, which may be a password.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new HomelabMailError(
      "E_VERIFY_OUTPUTS",
      `the stack outputs are not valid JSON${at ? ` (at character ${at})` : ""}`,
    );
  }
  return checkOutputs(raw);
}

async function readFileText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new HomelabMailError(
      "E_VERIFY_OUTPUTS",
      `--outputs ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

function pulumiOutputs(stack?: string): Promise<string> {
  const args = ["stack", "output", "--json", "--show-secrets", ...(stack ? ["--stack", stack] : [])];
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why =
        (err as NodeJS.ErrnoException).code === "ENOENT"
          ? "the Pulumi CLI is not on PATH"
          : stderr.trim().split("\n")[0] || err.message;
      reject(
        new HomelabMailError(
          "E_VERIFY_OUTPUTS",
          `pulumi stack output${stack ? ` --stack ${stack}` : ""} failed: ${why}; or pass the outputs as a file with --outputs <file.json>`,
        ),
      );
    });
  });
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isString = (x: unknown): x is string => typeof x === "string";
const isPort = (x: unknown) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 65535;

/** The outputs as the contract shapes them, or one error listing every field that is not. */
export function checkOutputs(raw: unknown): MailChainOutputs {
  const problems: string[] = [];
  const need = (ok: boolean, field: string, what: string) => ok || problems.push(`${field} must be ${what}`);
  if (!isObject(raw)) {
    throw new HomelabMailError("E_VERIFY_OUTPUTS", "the stack outputs must be a JSON object");
  }
  const r = raw;
  if (need(isObject(r.smtpRelay), "smtpRelay", "{host, port, auth}") === true) {
    const s = r.smtpRelay as Record<string, unknown>;
    need(isString(s.host) && s.host !== "", "smtpRelay.host", "a host name");
    need(isPort(s.port), "smtpRelay.port", "a port number");
  }
  if (r.imap !== undefined && need(isObject(r.imap), "imap", "{host, port, security}") === true) {
    const i = r.imap as Record<string, unknown>;
    need(isString(i.host) && i.host !== "", "imap.host", "a host name");
    need(isPort(i.port), "imap.port", "a port number");
    need(i.security === "starttls" || i.security === "tls", "imap.security", `"starttls" or "tls"`);
  }
  if (
    r.accounts !== undefined &&
    need(isObject(r.accounts), "accounts", "an object by account name") === true
  ) {
    for (const [name, a] of Object.entries(r.accounts as Record<string, unknown>)) {
      const ok =
        isObject(a) &&
        isString(a.login) &&
        isString(a.password) &&
        Array.isArray(a.addresses) &&
        a.addresses.every(isString);
      need(ok, `accounts.${name}`, "{login, addresses: [..], password}");
    }
  }
  if (need(isObject(r.dkim), "dkim", "an object by domain") === true) {
    for (const [domain, d] of Object.entries(r.dkim as Record<string, unknown>)) {
      need(isObject(d) && isString(d.name) && isString(d.value), `dkim.${domain}`, "{name, value}");
    }
  }
  need(Array.isArray(r.pendingSteps) && r.pendingSteps.every(isString), "pendingSteps", "a list of strings");
  if (
    r.mailRecords !== undefined &&
    need(isObject(r.mailRecords), "mailRecords", "an object by domain") === true
  ) {
    for (const [domain, m] of Object.entries(r.mailRecords as Record<string, unknown>)) {
      need(isObject(m) && isString(m.spf) && isString(m.dmarc), `mailRecords.${domain}`, "{spf, dmarc}");
    }
  }
  if (
    r.internalRecords !== undefined &&
    need(Array.isArray(r.internalRecords), "internalRecords", "a list") === true
  ) {
    (r.internalRecords as unknown[]).forEach((x, i) => {
      const ok =
        isObject(x) &&
        isString(x.name) &&
        ["A", "AAAA", "CNAME"].includes(x.type as string) &&
        isString(x.value);
      need(ok, `internalRecords[${i}]`, "{name, type: A|AAAA|CNAME, value}");
    });
  }
  if (r.routingStatus !== undefined) {
    const ok = isObject(r.routingStatus) && Object.values(r.routingStatus).every(isString);
    need(ok, "routingStatus", "an object of status strings by domain");
  }
  if (problems.length > 0) {
    throw new HomelabMailError(
      "E_VERIFY_OUTPUTS",
      `the stack outputs do not have the shape of lib/outputs.ts:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return r as unknown as MailChainOutputs;
}
