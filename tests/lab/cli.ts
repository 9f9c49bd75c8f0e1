/**
 * `npm run lab [-- --keep]`: builds the lab (docs/lab.md), deploys the program into it, sends one
 * message each way and prints what happened at each hop, then tears it all down (or, with --keep,
 * waits for Ctrl-C so you can look around). Needs root.
 */
import { PERSONAL_BOX, SERVICE_BOX } from "./config";
import { startLab, type Lab } from "./lab";
import { readMaildir } from "./maildir";
import { dkimResults, fromLabHost, inInternet, waitFor } from "./outbound";
import { pollUntil, sendInbound, whereIs } from "./scenarios";

const keep = process.argv.includes("--keep");
const say = (line: string) => process.stdout.write(`${line}\n`);
const lines = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l));

async function inbound(lab: Lab): Promise<boolean> {
  say("\n== inbound: a message to thehive@example.net, forwarded by Cloudflare to the Gmail service box");
  const id = sendInbound(lab, {
    name: "npm run lab: inbound",
    rcpt: ["thehive@example.net"],
    to: ["thehive@example.net"],
    expect: { thehive: 1 },
  });
  say(
    `  Gmail: stored in ${SERVICE_BOX} (${readMaildir(lab.gmail.maildir(SERVICE_BOX)).length} message(s) waiting)`,
  );
  const ok = await pollUntil(lab, () => Object.keys(whereIs(lab, id)).length > 0, 60_000);
  for (const l of lines(lab.pmgHost.fetchmailLog(), /message|SMTP|error/i).slice(-4))
    say(`  fetchmail on PMG: ${l.replace(/^fetchmail: /, "")}`);
  const idLocal = id.slice(1, -1);
  for (const l of lines(lab.pmgHost.maillog(), /postfix\/(smtpd|smtp|qmgr|lmtp)\[/)
    .filter((l) => /to=<|from=<|relay=/.test(l))
    .slice(-6))
    say(`  PMG Postfix: ${l.replace(/^.*postfix\//, "")}`);
  const where = whereIs(lab, id);
  say(
    `  Stalwart: ${
      ok
        ? `in account(s) ${Object.entries(where)
            .map(([a, n]) => `${a} (${n})`)
            .join(", ")}`
        : "not arrived within 60 s"
    } [${idLocal}]`,
  );
  return ok && where.thehive === 1 && Object.keys(where).length === 1;
}

async function outbound(lab: Lab): Promise<boolean> {
  say("\n== outbound: a lab host (192.0.2.50) sends through PMG's internal port 26 to alice@partner.example");
  const sent = await fromLabHost(lab, "npm run lab: outbound");
  say(
    `  PMG: ${sent.result.refusal ? `refused: ${sent.result.refusal}` : `accepted (${sent.result.replies.at(-2)})`}`,
  );
  if (sent.result.refusal) return false;
  const arrived = await waitFor(() => inInternet(lab, sent.id).length > 0, 40_000);
  for (const l of lines(
    lab.pmgHost.maillog(),
    /TLS connection established to smtp\.gmail\.com|relay=smtp\.gmail\.com/,
  ).slice(-2))
    say(`  PMG Postfix: ${l.replace(/^.*postfix\//, "")}`);
  for (const l of lines(lab.gmail.smtp.logText(), /sasl_method=/).slice(-1))
    say(`  Gmail: ${l.replace(/^.*postfix\//, "")}`);
  if (!arrived) {
    say("  Gmail: nothing relayed within 40 s");
    return false;
  }
  const dkim = await dkimResults(lab, inInternet(lab, sent.id)[0]);
  say(
    `  internet: arrived; DKIM ${dkim.map((d) => `${d.result} (d=${d.domain}, s=${d.selector})`).join(", ") || "none"}, checked against the TXT record the program published`,
  );
  return dkim.some((d) => d.result === "pass");
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    say(
      "npm run lab needs root: it creates network and mount namespaces and starts mail daemons as their own users.",
    );
    return 2;
  }
  const t0 = Date.now();
  const lab = await startLab({ log: (l) => say(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${l}`) });
  let ok = false;
  try {
    await lab.deploy();
    for (const box of [SERVICE_BOX, PERSONAL_BOX]) lab.cloudflare.model.markVerified(box);
    say("(the Gmail boxes' owner clicked Cloudflare's verification links)");
    await lab.deploy();
    const again = await lab.deploy();
    const written = Object.entries(again.steps).filter(([, s]) => s !== "same");
    say(
      `[${((Date.now() - t0) / 1000).toFixed(0)} s] second deployment: ${written.length === 0 ? "nothing to write" : `wrote ${written.map(([n]) => n).join(", ")}`}`,
    );
    ok = (await inbound(lab)) && (await outbound(lab));
    say(
      `\n${ok ? "Both ways delivered." : "Something did not arrive: see above."} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
    if (keep) {
      say(`\nKept: ${lab.dir}. Enter the lab's network: nsenter --net=${lab.net.nsPath} bash`);
      say(
        `PMG host: ${lab.pmgHost.bed.root} (sshd on 127.0.0.1:${lab.pmgHost.bed.port} inside the lab). Ctrl-C tears it down.`,
      );
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    }
  } catch (err) {
    say(`lab failed: ${(err as Error).message}\n${lab.logs()}`);
  } finally {
    await lab.stop();
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
