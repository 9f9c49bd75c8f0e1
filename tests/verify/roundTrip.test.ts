/** `--round-trip`'s options (verify/roundTrip.ts); the round trip itself runs in the lab (tests/lab/lab.test.ts). */
import { parseArgs, USAGE } from "../../verify/args";

const ENV = { gmailSmarthostPassword: "test-app-password" };

describe("parseArgs --round-trip", () => {
  it("is off by default, and reads Gmail's defaults and the passwords from the environment", () => {
    expect(parseArgs([], ENV).options.roundTrip).toBeUndefined();
    const inv = parseArgs(["--round-trip", "--gmail-user", "box@example.com"], {
      ...ENV,
      gmailFetchmailPassword: "test-fetch-password",
    });
    expect(inv.options.roundTrip).toEqual({
      gmailUser: "box@example.com",
      smarthost: { host: "smtp.gmail.com", port: 587 },
      gmailImap: { host: "imap.gmail.com", port: 993 },
      trust: { kind: "system" },
      smarthostPassword: "test-app-password",
      fetchmailPassword: "test-fetch-password",
      timeoutMs: 600_000,
    });
    expect(USAGE).toContain("--round-trip-timeout");
  });

  it("reads every option", () => {
    const rt = parseArgs(
      [
        "--round-trip",
        "--gmail-user=box@example.com",
        "--smarthost",
        "smtp.example.com:2587",
        "--gmail-imap",
        "imap.example.com",
        "--round-trip-timeout",
        "20",
      ],
      ENV,
    ).options.roundTrip;
    expect(rt).toMatchObject({
      smarthost: { host: "smtp.example.com", port: 2587 },
      gmailImap: { host: "imap.example.com", port: 993 },
      fetchmailPassword: undefined,
      timeoutMs: 20_000,
    });
  });

  it("refuses what it cannot run with, naming the option or variable", () => {
    expect(() => parseArgs(["--round-trip"], ENV)).toThrow(/needs --gmail-user/);
    expect(() => parseArgs(["--round-trip", "--gmail-user", "box@example.com"], {})).toThrow(
      /environment variable gmailSmarthostPassword \(the value of homelab-mail:gmailSmarthostPassword/,
    );
    expect(() => parseArgs(["--gmail-user", "box@example.com"], ENV)).toThrow(
      /--gmail-user is an option of --round-trip/,
    );
    const base = ["--round-trip", "--gmail-user", "box@example.com"];
    expect(() => parseArgs([...base, "--round-trip-timeout", "0"], ENV)).toThrow(
      /--round-trip-timeout must be/,
    );
    expect(() => parseArgs([...base, "--smarthost", "smtp.gmail.com:99999"], ENV)).toThrow(
      /--smarthost must be HOST\[:PORT\]/,
    );
    expect(() => parseArgs([...base, "--gmail-ca", "/nonexistent/ca.pem"], ENV)).toThrow(
      /--gmail-ca \/nonexistent\/ca.pem: ENOENT/,
    );
  });
});
