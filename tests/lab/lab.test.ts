/**
 * The lab (tests/lab, docs/lab.md): the real program deployed into a chain of real mail servers,
 * every scenario asserted on where the mail lands. One lab for the whole file.
 */
import { LAB, PMG_PORTS } from "./addresses";
import { exampleStack, PERSONAL_BOX, SERVICE_BOX } from "./config";
import type { DeployResult } from "./deploy";
import { startLab, type Lab } from "./lab";
import { readMaildir } from "./maildir";
import { dkimResults, fromLabHost, inInternet, sendThroughPmg, waitFor } from "./outbound";
import { cloudflareRecords } from "./dns";
import { runVerify } from "./verify";
import { installOldRendering, pmgLocalMail } from "./regression";
import { fmt, record, writeTable } from "./report";
import {
  pollUntil,
  sendInbound,
  serviceAddressScenarios,
  SHAPE_SCENARIOS,
  whereIs,
  type InboundScenario,
} from "./scenarios";

jest.setTimeout(120_000);

let lab: Lab;
let second: DeployResult;
const started = Date.now();

beforeAll(async () => {
  lab = await startLab();
  await lab.deploy();
  // The owner clicks the link Cloudflare mailed to each destination; the next run creates the rules.
  for (const box of [SERVICE_BOX, PERSONAL_BOX]) lab.cloudflare.model.markVerified(box);
  await lab.deploy();
  second = await lab.deploy();
}, 240_000);

afterAll(async () => {
  writeTable(
    `Last run: ${new Date().toISOString().slice(0, 16)}Z, ${Math.round((Date.now() - started) / 1000)} s for the whole lab file.`,
  );
  await lab?.stop();
});

/** On failure, what each hop logged. */
function explain(what: string): string {
  return `${what}\n${lab.logs()}`;
}

describe("deploying the program into the lab", () => {
  it("a second run over the deployed lab writes nothing", () => {
    const written = Object.entries(second.steps).filter(([, step]) => step !== "same");
    expect(written).toEqual([]);
    expect(Object.keys(second.steps).length).toBeGreaterThan(20);
  });
});

describe("inbound: Gmail -> fetchmail -> PMG -> Stalwart", () => {
  // The stack's own accounts: one scenario per address.
  const stalwart = exampleStack().stalwart as { accounts: { name: string; emails: string[] }[] };
  const scenarios: InboundScenario[] = [
    ...serviceAddressScenarios(
      Object.fromEntries(stalwart.accounts.map((a) => [a.name, { addresses: a.emails }])),
    ),
    ...SHAPE_SCENARIOS,
  ];
  const ids = new Map<string, string>();
  beforeAll(async () => {
    for (const s of scenarios) ids.set(s.name, sendInbound(lab, s));
    const expectedCount = (s: InboundScenario) => Object.values(s.expect).reduce((a, b) => a + b, 0);
    await pollUntil(
      lab,
      () =>
        scenarios.every(
          (s) => Object.values(whereIs(lab, ids.get(s.name)!)).reduce((a, b) => a + b, 0) >= expectedCount(s),
        ),
      60_000,
    );
    // Anything extra (a second copy) would come with the same poll: give it a moment.
    await new Promise((r) => setTimeout(r, 1_000));
  }, 90_000);

  it.each(scenarios.map((s) => [s.name, s] as const))(
    "%s: lands in exactly the right account, exactly once",
    (_name, s) => {
      const where = whereIs(lab, ids.get(s.name)!);
      record({
        scenario: `inbound: ${s.name}`,
        expected: fmt(s.expect),
        landed: fmt(where),
        ok: JSON.stringify(where) === JSON.stringify(s.expect),
      });
      if (JSON.stringify(where) !== JSON.stringify(s.expect))
        throw new Error(explain(`${s.name}: expected ${fmt(s.expect)}, landed ${fmt(where)}`));
    },
  );

  it("leaves nothing behind in the Gmail service box once every message was placed", () => {
    expect(readMaildir(lab.gmail.maildir(SERVICE_BOX)).map((m) => m.header("subject"))).toEqual([]);
  });

  // The running daemon remembers the header digest of the message it could not deliver and, in
  // multidrop mode, refuses it as a duplicate at every later poll ("not flushed"); the rendered
  // `postconnect` touches the rc file so the next cycle starts from a fresh fetchmail
  // (providers/pmghost/fetchmailrc.ts, docs/lab.md "Known failures").
  it("keeps a message in Gmail while PMG cannot take it, then delivers it once at the next poll", async () => {
    const inGmail = (id: string) =>
      readMaildir(lab.gmail.maildir(SERVICE_BOX)).some((m) => m.header("message-id") === id);
    expect((await lab.pmgHost.sh("systemctl stop postfix")).code).toBe(0);
    let id = "";
    let tried = false;
    try {
      const logBefore = lab.pmgHost.fetchmailLog().length;
      id = sendInbound(lab, {
        name: "kept while PMG is down, then retried",
        rcpt: ["ai@example.net"],
        to: ["ai@example.net"],
        expect: { ai: 1 },
      });
      tried = await pollUntil(
        lab,
        () => /SMTP connect to .* failed/i.test(lab.pmgHost.fetchmailLog().slice(logBefore)),
        30_000,
      );
    } finally {
      expect((await lab.pmgHost.sh("systemctl start postfix")).code).toBe(0);
    }
    if (!tried) throw new Error(explain("fetchmail never tried to deliver while PMG was down"));
    // Deleted from Gmail only once the next hop accepted it.
    const kept = inGmail(id);
    expect(kept).toBe(true);
    const logBack = lab.pmgHost.fetchmailLog().length;
    await pollUntil(lab, () => (whereIs(lab, id).ai ?? 0) > 0 && !inGmail(id), 30_000);
    await pollUntil(lab, () => false, 4_000); // more polls: a second copy would show
    const after = whereIs(lab, id);
    record({
      scenario:
        "inbound: while PMG's Postfix is stopped, then the next polls of the same daemon once it is back",
      expected: "stays in Gmail, then ai once, gone from Gmail",
      landed: `${kept ? "stayed in Gmail" : "gone from Gmail"}, then ${fmt(after)}${inGmail(id) ? " (still in Gmail)" : ""}`,
      ok: kept && JSON.stringify(after) === JSON.stringify({ ai: 1 }) && !inGmail(id),
    });
    if (JSON.stringify(after) !== JSON.stringify({ ai: 1 }))
      throw new Error(explain(`kept message: expected ai x1, landed ${fmt(after)}`));
    expect(inGmail(id)).toBe(false);
    expect(lab.pmgHost.fetchmailLog().slice(logBack)).toMatch(/restarting fetchmail/);
  }, 120_000);
});

describe("outbound: a lab host -> PMG's internal port -> Gmail", () => {
  it("relays without authentication, over TLS verified against the CA, authenticated with the app password, DKIM-signed", async () => {
    const authBefore = lab.gmail.authAttempts();
    const sent = await fromLabHost(lab, "outbound from a trusted lab host");
    expect(sent.result.refusal).toBeUndefined();
    await waitFor(() => inInternet(lab, sent.id).length > 0, 40_000);
    const copies = inInternet(lab, sent.id);
    const dkim = copies.length ? await dkimResults(lab, copies[0]) : [];
    const verified = /Verified TLS connection established to smtp\.gmail\.com/.test(lab.pmgHost.maillog());
    record({
      scenario: "outbound: lab host 192.0.2.50 -> PMG int_port 26 -> Gmail",
      expected: "internet x1, DKIM pass, verified TLS, AUTH",
      landed: `${copies.length ? `internet x${copies.length}` : "nowhere"}, DKIM ${dkim.map((d) => d.result).join("/") || "none"}, ${verified ? "verified TLS" : "TLS not verified"}`,
      ok: copies.length === 1 && dkim.some((d) => d.result === "pass") && verified,
    });
    if (copies.length !== 1)
      throw new Error(explain(`outbound: ${copies.length} copies reached Gmail's relay`));
    expect(lab.gmail.authAttempts()).toBeGreaterThan(authBefore);
    expect(lab.gmail.smtp.logText()).toContain(`sasl_username=${SERVICE_BOX}`);
    expect(dkim).toContainEqual({ result: "pass", domain: "example.net", selector: "pmg2026" });
    expect(verified).toBe(true);
  });

  it.each([
    {
      why: "refuses outside mail from a lab host on port 25 (PMG trusts only loopback and itself there)",
      source: LAB.labHost,
      port: PMG_PORTS.external,
      subject: "outbound on port 25",
      scenario: "outbound: lab host on PMG's port 25",
    },
    {
      why: "is no open relay: a host outside the trusted networks is refused on the internal port",
      source: LAB.outsider,
      port: PMG_PORTS.internal,
      subject: "open relay probe",
      scenario: "outbound: outsider 198.18.0.66 on int_port 26",
    },
  ])("$why", async ({ source, port, subject, scenario }) => {
    const sent = await sendThroughPmg(lab, {
      source,
      port,
      from: "wazuh@example.net",
      to: "alice@partner.example",
      subject,
    });
    record({
      scenario,
      expected: "refused",
      landed: sent.result.refusal ?? "accepted",
      ok: /Relay access denied/.test(sent.result.refusal ?? ""),
    });
    expect(sent.result.refusal).toMatch(/^554 .*Relay access denied/);
  });

  it("with a Gmail showing an untrusted certificate, defers the message and never sends AUTH", async () => {
    lab.gmail.presentUntrusted(true);
    try {
      const authBefore = lab.gmail.authAttempts();
      const logBefore = lab.pmgHost.maillog().length;
      const sent = await fromLabHost(lab, "outbound to an impostor");
      expect(sent.result.refusal).toBeUndefined();
      const deferred = await waitFor(
        () => /status=deferred/.test(lab.pmgHost.maillog().slice(logBefore)),
        40_000,
      );
      const auth = lab.gmail.authAttempts() - authBefore;
      record({
        scenario: "outbound: Gmail with an untrusted certificate",
        expected: "deferred, no AUTH",
        landed: `${deferred ? "deferred" : "not deferred"}, ${auth} AUTH, internet x${inInternet(lab, sent.id).length}`,
        ok: deferred && auth === 0 && inInternet(lab, sent.id).length === 0,
      });
      expect(inInternet(lab, sent.id)).toHaveLength(0);
      expect(auth).toBe(0);
      expect(deferred).toBe(true);
    } finally {
      lab.gmail.presentUntrusted(false);
    }
  });
});

describe("npm run verify on the lab", () => {
  const failed = (r: { checks: { id: string; status: string }[] }) =>
    r.checks.filter((c) => c.status === "fail").map((c) => c.id);

  it("passes on the deployed lab", async () => {
    const r = await runVerify(lab);
    record({
      scenario: "verify: the deployed lab",
      expected: "exit 0, no FAIL",
      landed: `exit ${r.code}, FAIL: ${failed(r).join(", ") || "none"}`,
      ok: r.code === 0,
    });
    if (r.code !== 0) throw new Error(explain(r.output));
    expect(r.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(["relay", "imap:thehive", "dkim:example.net", "spf:example.org"]),
    );
    expect(failed(r)).toEqual([]);
  });

  it("names dkim:example.net, and only it, when the TXT record does not match PMG's key", async () => {
    const name = "pmg2026._domainkey.example.net";
    const broken = cloudflareRecords(lab.cloudflare).map((rr) => {
      if (rr.name !== name) return rr;
      const at = rr.data.indexOf("p=") + 60;
      return {
        ...rr,
        data: rr.data.slice(0, at) + (rr.data[at] === "A" ? "B" : "A") + rr.data.slice(at + 1),
      };
    });
    await lab.serveDns(broken);
    try {
      const r = await runVerify(lab);
      record({
        scenario: "verify: DKIM TXT of example.net off by one character",
        expected: "FAIL dkim:example.net",
        landed: `exit ${r.code}, FAIL: ${failed(r).join(", ") || "none"}`,
        ok: r.code === 1 && failed(r).join() === "dkim:example.net",
      });
      expect(failed(r)).toEqual(["dkim:example.net"]);
      expect(r.code).toBe(1);
    } finally {
      await lab.serveDns();
    }
  });

  it("names delivery:<account> when PMG's transport for the domain points at the wrong host", async () => {
    // verify's relay test goes to the first address of the first account by name (verify/checks/relay.ts).
    const first = Object.keys(lab.deployment!.exports.accounts as object).sort((a, b) =>
      a.localeCompare(b),
    )[0];
    const transport = lab.pmg.state.transport.get("example.net")!;
    const host = transport.host;
    transport.host = "192.0.2.99";
    await lab.pmgHost.sync();
    try {
      const r = await runVerify(lab, ["--timeout", "8"]);
      record({
        scenario: "verify: PMG's transport for example.net to 192.0.2.99",
        expected: `FAIL delivery:${first}`,
        landed: `exit ${r.code}, FAIL: ${failed(r).join(", ") || "none"}`,
        ok: r.code === 1 && failed(r).join() === `delivery:${first}`,
      });
      expect(failed(r)).toEqual([`delivery:${first}`]);
    } finally {
      transport.host = host;
      await lab.pmgHost.sync();
    }
  });
});

describe("npm run verify -- --round-trip on the lab", () => {
  // From outside: the Gmail smarthost, Cloudflare's forward (cloudflareForward.ts), the service
  // box, fetchmail, PMG, Stalwart. fetchmail is woken every 1.5 s instead of its 120 s poll.
  const roundTrip = async (env: Record<string, string> = {}, timeout = "20") => {
    const poke = setInterval(() => void lab.pmgHost.pollNow().catch(() => undefined), 1_500);
    try {
      return await runVerify(
        lab,
        [
          "--round-trip",
          "--to",
          "thehive@example.net",
          "--gmail-user",
          SERVICE_BOX,
          "--gmail-ca",
          lab.ca.caFile,
          "--round-trip-timeout",
          timeout,
        ],
        {
          gmailSmarthostPassword: lab.secrets.gmailSmarthostPassword,
          gmailFetchmailPassword: lab.secrets.gmailFetchmailPassword,
          ...env,
        },
      );
    } finally {
      clearInterval(poke);
    }
  };
  const hops = (r: { checks: { id: string; status: string }[] }) =>
    r.checks.filter((c) => c.id.startsWith("round-trip:")).map((c) => `${c.id} ${c.status}`);
  const failing = (r: { checks: { id: string; status: string }[] }) =>
    r.checks.filter((c) => c.status === "fail").map((c) => c.id);
  const noSecret = (r: { output: string }) => {
    expect(r.output).not.toContain(lab.appPassword);
    expect(r.output).not.toContain("wrong-app-password-0");
  };

  it("passes on the deployed lab: through Cloudflare's forward into the service box, once into thehive", async () => {
    const r = await roundTrip();
    const id = /<round-trip-[^>]+>/.exec(r.output)?.[0];
    const forwarded = lab.cloudflareForward.forwarded.filter((f) => f.id === id);
    // verify deleted its copy once found; any other copy (another account, a second delivery) stays.
    await new Promise((res) => setTimeout(res, 1_000));
    const elsewhere = id ? whereIs(lab, id) : {};
    record({
      scenario:
        "verify --round-trip: Gmail smarthost -> Cloudflare -> service box -> fetchmail -> PMG -> thehive",
      expected: "exit 0, every hop PASS, thehive once",
      landed: `exit ${r.code}; ${hops(r).join(", ")}; other copies: ${fmt(elsewhere)}`,
      ok: r.code === 0 && forwarded.length === 1 && Object.keys(elsewhere).length === 0,
    });
    if (r.code !== 0) throw new Error(explain(r.output));
    expect(hops(r)).toEqual([
      "round-trip:submit pass",
      "round-trip:gmail-box pass",
      "round-trip:delivery:thehive pass",
    ]);
    expect(forwarded).toEqual([{ id, rcpt: "thehive@example.net", box: SERVICE_BOX }]);
    expect(elsewhere).toEqual({});
    noSecret(r);
  });

  it("names round-trip:submit and the app password when the smarthost refuses the login", async () => {
    const r = await roundTrip({ gmailSmarthostPassword: "wrong-app-password-0" });
    const submit = r.checks.find((c) => c.id === "round-trip:submit") as { fix?: string } | undefined;
    record({
      scenario: "verify --round-trip: wrong smarthost app password",
      expected: "FAIL round-trip:submit",
      landed: `exit ${r.code}, FAIL: ${failing(r).join(", ") || "none"}`,
      ok: r.code === 1 && failing(r).join() === "round-trip:submit",
    });
    expect(failing(r)).toEqual(["round-trip:submit"]);
    expect(submit?.fix).toMatch(/wrong app password \(homelab-mail:gmailSmarthostPassword\)/);
    noSecret(r);
  });

  it("names round-trip:submit and sends no AUTH when the smarthost shows an untrusted certificate", async () => {
    lab.gmail.presentUntrusted(true);
    try {
      const before = lab.gmail.authAttempts();
      const r = await roundTrip();
      const auth = lab.gmail.authAttempts() - before;
      record({
        scenario: "verify --round-trip: Gmail with an untrusted certificate",
        expected: "FAIL round-trip:submit, no AUTH",
        landed: `exit ${r.code}, FAIL: ${failing(r).join(", ") || "none"}, ${auth} AUTH`,
        ok: r.code === 1 && failing(r).join() === "round-trip:submit" && auth === 0,
      });
      expect(failing(r)).toEqual(["round-trip:submit"]);
      expect(r.checks.find((c) => c.id === "round-trip:submit")?.detail).toMatch(
        /TLS with smtp.gmail.com:587 failed/,
      );
      expect(auth).toBe(0);
    } finally {
      lab.gmail.presentUntrusted(false);
    }
  });

  it("names fetchmail when it is stopped: the message waits in the service box", async () => {
    expect((await lab.pmgHost.sh("systemctl stop fetchmail")).code).toBe(0);
    try {
      const r = await roundTrip({}, "6");
      const box = r.checks.find((c) => c.id === "round-trip:gmail-box") as { fix?: string } | undefined;
      record({
        scenario: "verify --round-trip: fetchmail stopped",
        expected: "FAIL round-trip:gmail-box (fetchmail), round-trip:delivery:thehive",
        landed: `exit ${r.code}, FAIL: ${failing(r).join(", ") || "none"}`,
        ok: r.code === 1 && failing(r).join() === "round-trip:gmail-box,round-trip:delivery:thehive",
      });
      expect(failing(r)).toEqual(["round-trip:gmail-box", "round-trip:delivery:thehive"]);
      expect(box?.fix).toMatch(/fetchmail is not collecting \(systemctl status fetchmail on PMG/);
    } finally {
      expect((await lab.pmgHost.sh("systemctl start fetchmail")).code).toBe(0);
    }
  });
});

// The old rendering (tests/lab/fixtures): both defects the lab found, shown failing. These are
// expected to fail; jest reports them as passing only while they do.
describe("regression: the old rendering fails the scenarios", () => {
  beforeAll(async () => {
    await installOldRendering(lab);
  }, 60_000);

  it.failing("old fetchmail stanza: inbound mail for thehive@ lands in thehive, once", async () => {
    const id = sendInbound(lab, {
      name: "old rendering: to thehive@",
      rcpt: ["thehive@example.net"],
      to: ["thehive@example.net"],
      expect: { thehive: 1 },
    });
    const gone = () =>
      !readMaildir(lab.gmail.maildir(SERVICE_BOX)).some((m) => m.header("message-id") === id);
    await pollUntil(
      lab,
      () => gone() && Object.keys({ ...whereIs(lab, id), ...pmgLocalMail(lab, id) }).length > 0,
      30_000,
    );
    const where = { ...whereIs(lab, id), ...pmgLocalMail(lab, id) };
    record({
      scenario: "regression: old fetchmail stanza, to thehive@",
      expected: "thehive",
      landed: `${fmt(where)}${gone() ? ", deleted from Gmail" : ""}`,
      ok: JSON.stringify(where) === '{"thehive":1}',
      failureExpected: "regression",
    });
    expect(where).toEqual({ thehive: 1 });
  });

  it.failing("old TLS block: a Gmail with an untrusted certificate gets no AUTH", async () => {
    lab.gmail.presentUntrusted(true);
    try {
      const before = lab.gmail.authAttempts();
      const sent = await fromLabHost(lab, "old rendering: outbound to an impostor");
      await waitFor(() => lab.gmail.authAttempts() > before || inInternet(lab, sent.id).length > 0, 20_000);
      const auth = lab.gmail.authAttempts() - before;
      record({
        scenario: "regression: old TLS block, untrusted Gmail",
        expected: "deferred, no AUTH",
        landed: `${auth} AUTH, internet x${inInternet(lab, sent.id).length}`,
        ok: auth === 0,
        failureExpected: "regression",
      });
      expect(auth).toBe(0);
    } finally {
      lab.gmail.presentUntrusted(false);
    }
  });
});
