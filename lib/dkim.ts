/**
 * PMG's GET /config/dkim/selector returns the DNS record as a BIND zone-file snippet:
 *   pmg2026._domainkey<TAB>IN<TAB>TXT<TAB>( "v=DKIM1; h=sha256; k=rsa; "
 *   <TAB>  "p=<250 chars>"
 *   <TAB>  "<next 250 chars>" )  ; ----- DKIM key pmg2026
 * The TXT value is the concatenation of the quoted strings.
 */
export interface DkimRecord {
  /** The bare public key: base64 SubjectPublicKeyInfo. */
  readonly publicKey: string;
  /** The TXT value: `v=DKIM1; h=sha256; k=rsa; p=<publicKey>`. */
  readonly txtValue: string;
}

export function parseDkimRecord(snippet: string): DkimRecord {
  const open = snippet.indexOf("(");
  const close = snippet.lastIndexOf(")");
  if (open < 0 || close < open)
    throw new Error(`dkim: PMG's record is not a zone snippet with ( ... ): ${snippet.slice(0, 80)}`);
  const strings = [...snippet.slice(open + 1, close).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  const txtValue = strings.join("");
  const m = /(?:^|;)\s*p=([A-Za-z0-9+/]+={0,2})\s*$/.exec(txtValue);
  if (!m || !/^v=DKIM1;/.test(txtValue))
    throw new Error(`dkim: PMG's record has no v=DKIM1 ... p=<key> value: ${txtValue.slice(0, 80)}`);
  return { publicKey: m[1], txtValue };
}
