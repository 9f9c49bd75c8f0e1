/** The compiled tree's manifest (scripts/buildProviders.ts writes it, providers/build.js checks it). */
export interface Manifest {
  /** The compiled entry, relative to .build/providers/. */
  readonly entry: string;
  /** Every source compiled, relative to the checkout, with the SHA-256 (hex) of its text. */
  readonly sources: Record<string, string>;
}
export function sha256(text: string | Buffer): string;
/** The compiled entry when every source it came from is byte-identical to the checkout's, else undefined. */
export function freshBuild(root?: string): string | undefined;
