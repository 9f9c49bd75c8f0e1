/** `npm run test-server -- pmghost [--port N]`: the PMG host test bed, for exploring by hand. */
import { fingerprint } from "../../../providers/pmghost/hostKey";
import { startPmgHostBed } from "./server";

export async function startPmgHostStandalone(flags: Map<string, string>) {
  const port = flags.get("port");
  if (port !== undefined && !/^\d+$/.test(port)) throw new Error(`--port needs a number, got '${port}'`);
  const bed = await startPmgHostBed({ port: port === undefined ? undefined : Number(port) });
  const blob = Buffer.from(bed.hostKey.split(" ")[1], "base64");
  return {
    info: {
      url: `ssh://${bed.user}@${bed.host}:${bed.port}`,
      username: bed.user,
      // Key authentication only: the throwaway private key is `privateKey`.
      password: "",
      fingerprint: fingerprint(blob),
      hostKey: bed.hostKey,
      privateKey: bed.privateKey,
      root: bed.root,
    },
    close: () => bed.close(),
  };
}
