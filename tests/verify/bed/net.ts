// Loopback helpers for the verify test bed: free ports, and "does this port greet like X".
import * as dgram from "node:dgram";
import * as net from "node:net";

/** A port free for TCP on 127.0.0.1, and for UDP too when `udp` (DNS listens on both). */
export async function freePort(udp = false): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (!udp || (await udpFree("127.0.0.1", port))) return port;
  }
  throw new Error("no free port found on loopback");
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    s.once("error", () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/** Whether 127.0.0.1:port answers with a first line matching `greeting`. */
export function greets(port: number, greeting: RegExp): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1_000, () => done(false));
    s.once("error", () => done(false));
    s.once("data", (d) => done(greeting.test(d.toString("latin1"))));
  });
}

/** Whether anything accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}
