/**
 * The smarthost's TLS policy, with the real Template Toolkit (as PMG renders main.cf.in), the real
 * postconf reading the result, and the real postmap answering the policy lookup.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXPECTED_MAIN_CF, SMARTHOST_PARAMETERS } from "../../../components/PmgHost";
import { PARKED, PMG_POLICY_LINE, withBlock, withoutBlock } from "../../../providers/pmghost/templateBlock";
import {
  policyKeys,
  renderPolicyMap,
  smarthostPortProblem,
  SYSTEM_CAS,
} from "../../../providers/pmghost/tlsPolicy";
import { postmapQuery, withTempDir } from "./realTools";

const TEMPLATE = fs.readFileSync(path.join(__dirname, "../../servers/pmghost/templates/main.cf.in"), "utf8");

/** The mission's hand-appended lines (email-setup.md, "Postfix Template Override"), byte for byte. */
const GUIDE_LINES = `# === Gmail SASL relay authentication ===
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd
smtp_sasl_security_options = noanonymous
smtp_tls_security_level = encrypt
smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt
`;

/** The block the program rendered before this change: a global `encrypt` for every delivery. */
const OLD_PARAMETERS = {
  smtp_sasl_auth_enable: "yes",
  smtp_sasl_password_maps: "hash:/etc/postfix/sasl_passwd",
  smtp_sasl_security_options: "noanonymous",
  smtp_tls_security_level: "encrypt",
  smtp_tls_CAfile: "/etc/ssl/certs/ca-certificates.crt",
};

/** main.cf as PMG renders it (real Template Toolkit), then what the real postconf reads and warns. */
function pmgRender(template: string, tls: 0 | 1): { values: Record<string, string>; warnings: string } {
  return withTempDir((dir) => {
    fs.writeFileSync(path.join(dir, "main.cf.in"), template);
    const perl = `use Template; my $tt = Template->new({ INCLUDE_PATH => '${dir}' }); my $out = '';
      $tt->process('main.cf.in', { pmg => { mail => { smarthost => 'smtp.gmail.com', smarthostport => 587,
        tls => ${tls}, maxsize => 10485760, dwarning => 4, relayprotocol => 'smtp', relayport => 25,
        'filter-timeout' => 600, banner => 'ESMTP', conn_count_limit => 50, smtputf8 => 1 } },
        dns => { hostname => 'pmg', domain => 'lab.example.net' },
        postfix => { mynetworks => '127.0.0.0/8', usepolicy => 1 } }, \\$out) or die $tt->error();
      open(my $f, '>', '${dir}/main.cf') or die; print $f $out;`;
    const r = spawnSync("perl", ["-e", perl], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`Template Toolkit: ${r.stderr}`);
    fs.utimesSync(path.join(dir, "main.cf"), new Date(Date.now() - 5000), new Date(Date.now() - 5000));
    const names = [
      "smtp_tls_policy_maps",
      "smtp_tls_security_level",
      "lmtp_tls_security_level",
      "smtp_sasl_auth_enable",
    ];
    const q = spawnSync("postconf", ["-c", dir, "-h", ...names], { encoding: "utf8" });
    const values = Object.fromEntries(names.map((n, i) => [n, q.stdout.split("\n")[i]]));
    const all = spawnSync("postconf", ["-c", dir, "-n"], { encoding: "utf8" });
    return { values, warnings: `${q.stderr}${all.stderr}` };
  });
}

describe("the smarthost's TLS policy", () => {
  it("answers `secure` with the smarthost's name and the system CAs, for the smarthost's keys only (real postmap)", () => {
    const map = renderPolicyMap("smtp.gmail.com", 587);
    const [plain, bracketed, other, noPort] = postmapQuery(map, [
      ...policyKeys("smtp.gmail.com", 587),
      "192.0.2.20:25",
      "smtp.gmail.com",
    ]);
    const want = `secure match=smtp.gmail.com tafile=${SYSTEM_CAS}`;
    expect(plain).toBe(want);
    expect(bracketed).toBe(want);
    expect(other).toBeUndefined();
    expect(noPort).toBeUndefined();
  });

  it("refuses port 465 (wrapper mode would apply to every delivery)", () => {
    expect(smarthostPortProblem(465)).toMatch(/465.*smtp_tls_wrappermode.*use 587/);
    expect(smarthostPortProblem(587)).toBeUndefined();
  });

  it.each([0, 1] as const)(
    "with PMG's tls=%s: the policy map is set once, every other delivery keeps PMG's level (real TT and postconf)",
    (tls) => {
      const pmgOnly = pmgRender(TEMPLATE, tls);
      const ours = pmgRender(withBlock(TEMPLATE, SMARTHOST_PARAMETERS, TEMPLATE), tls);
      expect(ours.warnings).not.toMatch(/overriding earlier entry/);
      expect(ours.values.smtp_tls_security_level).toBe(pmgOnly.values.smtp_tls_security_level);
      expect(ours.values.lmtp_tls_security_level).toBe(pmgOnly.values.lmtp_tls_security_level);
      expect(ours.values.smtp_tls_policy_maps).toBe(
        tls
          ? "hash:/etc/postfix/smarthost_tls_policy, hash:/etc/pmg/tls_policy"
          : "hash:/etc/postfix/smarthost_tls_policy",
      );
      for (const [k, val] of Object.entries(EXPECTED_MAIN_CF))
        expect(pmgRender(withBlock(TEMPLATE, SMARTHOST_PARAMETERS), tls).values[k] ?? val).toBe(val);
    },
  );

  it("regression: the old block set `encrypt` for every delivery, and twice over PMG's own level with tls=1", () => {
    const old = pmgRender(withBlock(TEMPLATE, OLD_PARAMETERS), 1);
    expect(old.values.smtp_tls_security_level).toBe("encrypt");
    expect(old.warnings).toMatch(/overriding earlier entry/);
  });

  it("absorbs the guide's hand-appended lines: nothing set twice, PMG's policy line parked and restored", () => {
    const guide = `${TEMPLATE}${GUIDE_LINES}`;
    const before = pmgRender(guide, 1);
    expect(before.warnings).toMatch(/overriding earlier entry/); // the guide's own state
    const adopted = withBlock(guide, SMARTHOST_PARAMETERS, TEMPLATE);
    expect(adopted).not.toContain("Gmail SASL relay authentication");
    expect(adopted).not.toContain("smtp_tls_security_level = encrypt");
    expect(adopted).toContain(`${PARKED}${PMG_POLICY_LINE}`);
    const after = pmgRender(adopted, 1);
    expect(after.warnings).not.toMatch(/overriding earlier entry/);
    expect(after.values.smtp_sasl_auth_enable).toBe("yes");
    expect(withoutBlock(adopted)).toBe(TEMPLATE);
    // A second run changes nothing.
    expect(withBlock(adopted, SMARTHOST_PARAMETERS, TEMPLATE)).toBe(adopted);
  });

  it("refuses a hand-written policy map of someone else's rather than dropping it", () => {
    const custom = `${TEMPLATE}smtp_tls_policy_maps = hash:/etc/postfix/mine\n`;
    expect(() => withBlock(custom, SMARTHOST_PARAMETERS, TEMPLATE)).toThrow(
      /already sets smtp_tls_policy_maps/,
    );
  });
});
