import { evaluateRouting } from "../../verify/checks/routing";

describe("evaluateRouting", () => {
  const CF = ["route1.mx.cloudflare.net", "route2.mx.cloudflare.net", "route3.mx.cloudflare.net"];

  it("passes when Cloudflare reported ready and DNS sends mail to Cloudflare only", () => {
    expect(evaluateRouting("example.net", "ready", CF)).toMatchObject({
      status: "pass",
      id: "routing:example.net",
    });
  });

  it("fails on any other status, with the fix for it", () => {
    const r = evaluateRouting("example.net", "misconfigured", CF);
    expect(r).toMatchObject({ status: "fail" });
    expect(r.fix).toMatch(/delete the MX records at the apex that are not Cloudflare's/);
    expect(evaluateRouting("example.net", "unlocked", CF).fix).toMatch(/Lock DNS records/);
    expect(evaluateRouting("example.net", "unconfigured", CF).fix).toMatch(/run pulumi up/);
  });

  it("fails when DNS serves another MX beside Cloudflare's, or none", () => {
    expect(evaluateRouting("example.net", "ready", [...CF, "mx.old-provider.example"]).detail).toMatch(
      /not Cloudflare's: mx\.old-provider\.example/,
    );
    expect(evaluateRouting("example.net", "ready", []).detail).toMatch(/no MX record/);
  });
});
