import { parseStalwartSettings, reachableEndpoint } from "../../../providers/stalwart/settings";

const config = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
const STALWART = JSON.stringify({ endpoint: "https://192.0.2.20:443", username: "admin" });

describe("parseStalwartSettings", () => {
  it("is undefined when homelab-mail:stalwart is not set", () => {
    expect(parseStalwartSettings(config({}))).toBeUndefined();
  });

  it("reads the admin credentials and per-account passwords, lowercasing account names", () => {
    const s = parseStalwartSettings(
      config({
        "homelab-mail:stalwart": STALWART,
        "homelab-mail:stalwartPassword": "admin-secret",
        "homelab-mail:stalwartAccountPasswords": JSON.stringify({ NoReply: "Velvet-Harbor-71-Quince" }),
      }),
    );
    expect(s).toMatchObject({
      endpoint: "https://192.0.2.20:443",
      username: "admin",
      password: "admin-secret",
      accountPasswords: { noreply: "Velvet-Harbor-71-Quince" },
    });
  });

  it("takes an API key instead of the password", () => {
    const s = parseStalwartSettings(
      config({ "homelab-mail:stalwart": STALWART, "homelab-mail:stalwartApiKey": "api_abc" }),
    );
    expect(s).toMatchObject({ apiKey: "api_abc", password: undefined });
  });

  it("names every missing or bad key at once", () => {
    const read = () =>
      parseStalwartSettings(
        config({
          "homelab-mail:stalwart": "{}",
          "homelab-mail:stalwartAccountPasswords": JSON.stringify({ ti: "short" }),
        }),
      );
    expect(read).toThrow(
      /stalwart\.endpoint is missing.*stalwart\.username is missing.*stalwartPassword is not set.*stalwartAccountPasswords\.ti must be a password of 8 to 128 bytes/,
    );
  });

  it("refuses plain http off loopback unless homelab-mail:stalwart.allowPlainHttp acknowledges it (issue 14)", () => {
    const read = (stalwart: Record<string, unknown>) =>
      parseStalwartSettings(
        config({
          "homelab-mail:stalwart": JSON.stringify({ username: "admin", ...stalwart }),
          "homelab-mail:stalwartPassword": "admin-secret",
        }),
      );
    expect(() => read({ endpoint: "http://192.0.2.20:8080" })).toThrow(
      /homelab-mail:stalwart\.endpoint uses plain http to 192\.0\.2\.20.*https:\/\/192\.0\.2\.20:443.*tlsFingerprint.*allowPlainHttp/,
    );
    expect(read({ endpoint: "http://192.0.2.20:8080", allowPlainHttp: true })?.allowPlainHttp).toBe(true);
    for (const endpoint of ["http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080"])
      expect(read({ endpoint })?.endpoint).toBe(endpoint);
  });

  it("reaches state written over plain http through the configured HTTPS listener of the same host", () => {
    const s = { endpoint: "https://192.0.2.20:443", allowPlainHttp: false };
    expect(reachableEndpoint("http://192.0.2.20:8080", s)).toBe("https://192.0.2.20:443");
    expect(reachableEndpoint("http://192.0.2.99:8080", s)).toBe("http://192.0.2.99:8080");
    expect(reachableEndpoint("http://127.0.0.1:8080", s)).toBe("http://127.0.0.1:8080");
    expect(reachableEndpoint("http://192.0.2.20:8080", { ...s, allowPlainHttp: true })).toBe(
      "http://192.0.2.20:8080",
    );
  });
});
