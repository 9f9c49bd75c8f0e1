// Stalwart's JMAP ids: a u64 in a custom base32 alphabet, most significant digit first
// (types/src/id.rs, utils/src/codec/base32_custom.rs): 0 is "a", 1 is "b", 32 is "ba".
const ALPHABET = "abcdefghijklmnopqrstuvwxyz792013";

export function encodeId(n: number): string {
  let s = "";
  do {
    s = ALPHABET[n % 32] + s;
    n = Math.floor(n / 32);
  } while (n > 0);
  return s;
}

/** The number an id stands for, or undefined when it is not a valid id. */
export function decodeId(id: unknown): number | undefined {
  if (typeof id !== "string" || id === "" || id.length > 13) return undefined;
  let n = 0;
  for (const c of id) {
    const d = ALPHABET.indexOf(c);
    if (d < 0) return undefined;
    n = n * 32 + d;
  }
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The id of the environment's recovery admin (u32::MAX). */
export const ADMIN_ACCOUNT_ID = encodeId(4294967295);
