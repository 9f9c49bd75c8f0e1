// The standalone starter (tests/servers/start.ts): one JSON line, then serves until killed.
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as tls from "node:tls";
import { Agent, fetch } from "undici";

const root = path.resolve(__dirname, "../../..");

test("npm run test-server -- pmg --version 8 prints its endpoint and credentials", async () => {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "tests/servers/start.ts", "pmg", "--version", "8"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        if (buf.includes("\n")) resolve(buf);
      });
      child.on("exit", (code) => reject(new Error(`starter exited with ${code}`)));
    });
    expect(line.split("\n")).toHaveLength(2);
    const info = JSON.parse(line) as { url: string; username: string; password: string; fingerprint: string };
    expect(Object.keys(info).sort()).toEqual(["fingerprint", "password", "url", "username"]);
    expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api2\/json$/);
    expect(info.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    // pin the certificate by its fingerprint, as a client without the PEM would
    const agent = new Agent({
      connect: {
        rejectUnauthorized: false,
        checkServerIdentity: (_host: string, cert: tls.PeerCertificate) =>
          cert.fingerprint256 === info.fingerprint ? undefined : new Error("fingerprint mismatch"),
      },
    });
    const res = await fetch(`${info.url}/access/ticket`, {
      method: "POST",
      body: new URLSearchParams({ username: info.username, password: info.password }),
      dispatcher: agent,
    });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { ticket: string } };
    const v = await fetch(`${info.url}/version`, {
      headers: { Cookie: `PMGAuthCookie=${encodeURIComponent(data.ticket)}` },
      dispatcher: agent,
    });
    expect(((await v.json()) as { data: { release: string } }).data.release).toBe("8.3");
    await agent.close();
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
});
