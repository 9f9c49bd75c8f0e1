import { isKind, losesNothing, sameMeaning, spfIncludes, txtValue } from "../../../providers/cloudflare/txt";

describe("TXT records of one kind", () => {
  it("reads quoted, split and unquoted content as the value DNS serves", () => {
    expect(txtValue(`"v=DKIM1; p=AB" "CD"`)).toBe("v=DKIM1; p=ABCD");
    expect(txtValue("v=spf1 include:_spf.mx.cloudflare.net ~all")).toBe(
      "v=spf1 include:_spf.mx.cloudflare.net ~all",
    );
    expect(isKind("spf", `"v=spf1 -all"`)).toBe(true);
    expect(isKind("spf", `"v=spf10"`)).toBe(false);
    expect(isKind("dkim", "v=DKIM1; k=rsa; p=X")).toBe(true);
    expect(spfIncludes(`"v=spf1 include:_spf.google.com ~all"`)).toEqual(["_spf.google.com"]);
  });

  it("takes over an SPF the declared one covers (Cloudflare's own) but not one with more", () => {
    const merged = `"v=spf1 include:_spf.mx.cloudflare.net include:_spf.google.com ~all"`;
    expect(losesNothing("spf", "v=spf1 include:_spf.mx.cloudflare.net ~all", merged)).toBe(true);
    expect(losesNothing("spf", "v=spf1 include:_spf.google.com -all", merged)).toBe(true);
    expect(losesNothing("spf", "v=spf1 include:mailgun.org ~all", merged)).toBe(false);
    expect(losesNothing("spf", "v=spf1 ip4:192.0.2.1 ~all", merged)).toBe(false);
  });

  it("treats a DKIM key as the same whatever its quoting and spacing, and another key as different", () => {
    expect(sameMeaning("dkim", "v=DKIM1; h=sha256; k=rsa; p=ABC", `"v=DKIM1;h=sha256;k=rsa;p=ABC"`)).toBe(
      true,
    );
    expect(losesNothing("dkim", "v=DKIM1; k=rsa; p=ABC", `"v=DKIM1; k=rsa; p=ABD"`)).toBe(false);
  });
});
