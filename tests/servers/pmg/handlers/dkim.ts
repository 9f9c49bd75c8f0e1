// DKIM selector API (pmg-api API2/DKIMSign.pm, PMG/DKIMSign.pm set_selector/get_selector_info).
// Private keys live in state.dkimKeys (selector → PEM), standing in for /etc/pmg/dkim/*.private.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { die } from "../errors";
import { perlNum, perlTrue } from "../perl";
import { param, type HandlerContext, type Route } from "../router";

const generateRsa = promisify(generateKeyPair);

/** Crypt::OpenSSL::RSA->new_private_key: RSA only; throws like the Perl module on anything else. */
function rsaKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "rsa") throw new Error("unrecognized key format");
  return key;
}

/** $privkey->size() * 8: the modulus size in bytes, times 8. */
function keyBits(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8) * 8;
}

/** The base64 SubjectPublicKeyInfo of a key, as in the PEM body without line breaks. */
export function publicKeyBase64(key: KeyObject): string {
  const spki = createPublicKey(key).export({ type: "spki", format: "pem" }).toString();
  return spki.replace(/-----(?:BEGIN|END) PUBLIC KEY-----/g, "").replace(/[\n\x0B\f\r\x85\u2028\u2029]/g, "");
}

/** The BIND zone snippet get_selector_info returns, in 250-character chunks like opendkim-genkey. */
export function dkimRecord(selector: string, pubkey: string): string {
  let record = `${selector}._domainkey\tIN\tTXT\t( "v=DKIM1; h=sha256; k=rsa; "\n\t  "p=`;
  let len = pubkey.length;
  let cur = 0;
  while (len > 0) {
    if (len < 250) {
      record += pubkey.slice(cur);
      len = 0;
    } else {
      record += `${pubkey.slice(cur, cur + 250)}"\n\t  "`;
      cur += 250;
      len -= 250;
    }
  }
  return `${record}" )  ; ----- DKIM key ${selector}`;
}

function getSelectorInfo(ctx: HandlerContext): unknown {
  const { conf } = ctx.store.pmgConf();
  const selector = conf.get("admin")?.get("dkim_selector");
  if (selector === undefined) return {};
  const pem = ctx.store.state.dkimKeys.get(String(selector));
  try {
    if (pem === undefined) throw new Error("file does not exist");
    const key = rsaKey(pem);
    return { selector, keysize: keyBits(key), record: dkimRecord(String(selector), publicKeyBase64(key)) };
  } catch {
    return { selector };
  }
}

function setSelector(ctx: HandlerContext): Promise<null> {
  const selector = param(ctx, "selector") as string;
  const keysize = param(ctx, "keysize") as string;
  const force = param(ctx, "force");
  const file = `/etc/pmg/dkim/${selector}.private`;
  return ctx.lock.run(`unable to set DKIM key (${selector} - ${keysize} bits)`, async () => {
    const keys = ctx.store.state.dkimKeys;
    const existing = keys.get(selector);
    if (!perlTrue(force) && existing !== undefined) {
      let cursize: number;
      try {
        cursize = keyBits(rsaKey(existing));
      } catch (e) {
        return die(`error checking ${file}: ${(e as Error).message}\n\n`);
      }
      if (cursize !== perlNum(keysize))
        die(`${file} already exists, but has different size (${cursize} bits)\n`);
    } else {
      const { privateKey } = await generateRsa("rsa", { modulusLength: perlNum(keysize) });
      keys.set(selector, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    }
    const { conf } = ctx.store.pmgConf();
    const admin = conf.get("admin") ?? new Map();
    admin.set("dkim_selector", selector);
    conf.set("admin", admin);
    ctx.store.savePmgConf(conf);
    return null;
  });
}

function listSelectors(ctx: HandlerContext): unknown {
  return [...ctx.store.state.dkimKeys.keys()].map((selector) => ({ selector }));
}

export const dkimRoutes: Route[] = [
  { path: "/config/dkim/selector", methods: { GET: getSelectorInfo, POST: setSelector } },
  { path: "/config/dkim/selectors", methods: { GET: listSelectors } },
];
