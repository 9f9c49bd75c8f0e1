import { generateKeyPairSync } from "node:crypto";
import { parseDkimRecord } from "../../lib/dkim";

/** PMG's snippet, built as DKIMSign.pm get_selector_info does: 250-character chunks, tabs. */
function pmgSnippet(selector: string, b64: string): string {
  const chunks: string[] = b64.match(/.{1,250}/g) ?? [];
  if (b64.length % 250 === 0) chunks.push("");
  const lines = [`"v=DKIM1; h=sha256; k=rsa; "`, `"p=${chunks[0]}"`, ...chunks.slice(1).map((c) => `"${c}"`)];
  return (
    `${selector}._domainkey\tIN\tTXT\t( ${lines[0]}\n` +
    lines
      .slice(1)
      .map((l) => `\t  ${l}`)
      .join("\n") +
    ` )  ; ----- DKIM key ${selector}\n`
  );
}

describe("parseDkimRecord", () => {
  it("joins the quoted chunks of a 2048-bit key into the TXT value", () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const b64 = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const r = parseDkimRecord(pmgSnippet("pmg2026", b64));
    expect(r.publicKey).toBe(b64);
    expect(r.txtValue).toBe(`v=DKIM1; h=sha256; k=rsa; p=${b64}`);
  });

  it("handles a key whose length is a multiple of 250 (PMG adds an empty string)", () => {
    const b64 = "A".repeat(500);
    expect(parseDkimRecord(pmgSnippet("s", b64)).publicKey).toBe(b64);
  });

  it("rejects a snippet without a key", () => {
    expect(() => parseDkimRecord(`s._domainkey IN TXT ( "v=DKIM1; k=rsa; " )`)).toThrow(
      /no v=DKIM1 \.\.\. p=<key>/,
    );
    expect(() => parseDkimRecord("garbage")).toThrow(/not a zone snippet/);
  });
});
