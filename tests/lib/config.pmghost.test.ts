import { SECRET_KEYS, validateConfig } from "../../lib/config";
import { ConfigError } from "../../lib/errors";
import { exampleConfig } from "./config.test";

const problems = (raw: Record<string, unknown>, secrets: string[] = [...SECRET_KEYS]) => {
  try {
    validateConfig(raw, new Set(secrets));
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe("validateConfig for the PMG host", () => {
  it("needs the smarthost password once pmg.ssh and fetchmail are set, and not otherwise", () => {
    const withoutIt = SECRET_KEYS.filter((k) => k !== "gmailSmarthostPassword");
    expect(problems(exampleConfig(), withoutIt)).toEqual([
      expect.stringMatching(
        /^homelab-mail:gmailSmarthostPassword: is not set; run: pulumi config set --secret/,
      ),
    ]);
    const { ssh: _ssh, ...pmg } = exampleConfig().pmg as Record<string, unknown>;
    expect(
      problems(
        { ...exampleConfig(), pmg },
        withoutIt.filter((k) => k !== "pmgSshPrivateKey"),
      ),
    ).toEqual([]);
  });

  it("takes an optional smarthost login and checks it", () => {
    const raw = exampleConfig();
    const pmg = raw.pmg as Record<string, unknown>;
    const config = validateConfig(
      {
        ...raw,
        pmg: { ...pmg, smarthost: { host: "smtp.gmail.com", port: 587, user: "relay@example.com" } },
      },
      new Set(SECRET_KEYS),
    );
    expect(config.pmg.smarthost).toEqual({ host: "smtp.gmail.com", port: 587, user: "relay@example.com" });
    expect(validateConfig(raw, new Set(SECRET_KEYS)).pmg.smarthost).toEqual({
      host: "smtp.gmail.com",
      port: 587,
    });
    expect(
      problems({
        ...raw,
        pmg: { ...pmg, smarthost: { host: "smtp.gmail.com", port: 587, user: "no at sign" } },
      }),
    ).toEqual([expect.stringMatching(/^homelab-mail:pmg\.smarthost\.user: /)]);
  });

  it("checks the pinned host key's form", () => {
    const raw = exampleConfig();
    const pmg = raw.pmg as { ssh: Record<string, unknown> };
    expect(
      problems({ ...raw, pmg: { ...pmg, ssh: { ...pmg.ssh, hostKey: "192.0.2.10 ssh-ed25519 AAAA" } } }),
    ).toEqual([
      expect.stringMatching(
        /^homelab-mail:pmg\.ssh\.hostKey: must be the host's public key as `<type> <base64>`/,
      ),
    ]);
  });
});
