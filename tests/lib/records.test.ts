import fc from "fast-check";
import { dmarcValue, formatTxtContent, parseTxtContent, spfLookups, spfValue } from "../../lib/records";

const base64Key = fc.stringMatching(/^[A-Za-z0-9+/]{1,1400}={0,2}$/);

describe("formatTxtContent", () => {
  it("round-trips any DKIM value and never emits a string over 255 bytes", () => {
    fc.assert(
      fc.property(base64Key, (key) => {
        const value = `v=DKIM1; h=sha256; k=rsa; p=${key}`;
        const content = formatTxtContent(value);
        expect(parseTxtContent(content)).toBe(value);
        const strings = [...content.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
        for (const s of strings) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(255);
        // Every string but the last is exactly 255 bytes: the split Cloudflare itself makes.
        for (const s of strings.slice(0, -1)) expect(Buffer.byteLength(s)).toBe(255);
        expect(content).toBe(strings.map((s) => `"${s}"`).join(" "));
      }),
    );
  });

  it("is deterministic: the same selector output gives byte-identical content", () => {
    fc.assert(
      fc.property(base64Key, (key) =>
        expect(formatTxtContent(`p=${key}`)).toBe(formatTxtContent(`p=${key}`)),
      ),
    );
  });

  it("never cuts a multi-byte character", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 400 }).filter((s) => !/["\\]/.test(s)),
        (s) => {
          expect(parseTxtContent(formatTxtContent(s))).toBe(s);
        },
      ),
    );
  });

  it("formats a 2048-bit DKIM record as two strings", () => {
    const value = `v=DKIM1; h=sha256; k=rsa; p=${"A".repeat(392)}`;
    expect(formatTxtContent(value)).toMatchSnapshot();
  });

  it("refuses quotes and backslashes", () => {
    expect(() => formatTxtContent('a"b')).toThrow(/quotes or backslashes/);
  });
});

describe("SPF and DMARC", () => {
  it("authorizes Email Routing and the Gmail smarthost in one record within the lookup budget", () => {
    const v = spfValue({ includes: ["_spf.mx.cloudflare.net", "_spf.google.com"] });
    expect(v).toBe("v=spf1 include:_spf.mx.cloudflare.net include:_spf.google.com ~all");
    expect(spfLookups(v)).toEqual({ count: 5, unknownIncludes: [] });
  });

  it("counts a, mx, exists and redirect, and lists includes it cannot count", () => {
    expect(
      spfLookups(
        "v=spf1 a mx:example.net ip4:192.0.2.1 include:spf.example.org exists:%{i}.x redirect=_spf.example.net",
      ),
    ).toEqual({
      count: 5,
      unknownIncludes: ["spf.example.org"],
    });
  });

  it("builds DMARC with an optional report address", () => {
    expect(dmarcValue({ policy: "none", reportTo: "dmarc@example.net" })).toBe(
      "v=DMARC1; p=none; rua=mailto:dmarc@example.net",
    );
    expect(dmarcValue({ policy: "quarantine" })).toBe("v=DMARC1; p=quarantine");
  });
});
