/** providers/claims.ts: a delete is skipped only when the object was taken over through another location. */
import { claim, isClaimedElsewhere } from "../../providers/claims";

describe("claims", () => {
  it("skips a delete through the old location of an object a replacement adopted through a new one", () => {
    claim("pmg:PmgRelayDomain|example.net", "https://pmg.example.net:8006");
    expect(isClaimedElsewhere("pmg:PmgRelayDomain|example.net", "https://192.0.2.10:8006")).toBe(true);
  });

  it("never skips a delete through the location the object was claimed at (a removal, a destroy)", () => {
    claim("pmg:PmgTransport|example.org", "https://192.0.2.10:8006");
    expect(isClaimedElsewhere("pmg:PmgTransport|example.org", "https://192.0.2.10:8006")).toBe(false);
  });

  it("never skips a delete of an object nobody claimed, or one without an identity", () => {
    expect(isClaimedElsewhere("pmg:PmgRelayDomain|example.com", "https://192.0.2.10:8006")).toBe(false);
    claim(undefined, "https://192.0.2.10:8006");
    expect(isClaimedElsewhere(undefined, "https://pmg.example.net:8006")).toBe(false);
  });
});
