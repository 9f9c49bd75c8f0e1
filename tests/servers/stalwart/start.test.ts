// `npm run test-server -- stalwart --api jmap`: one JSON line, then serves until killed.
import { spawn } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../..");

test("npm run test-server -- stalwart --api jmap prints its endpoint and credentials, then serves", async () => {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "tests/servers/start.ts", "stalwart", "--api", "jmap"],
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
    const info = JSON.parse(line) as Record<string, string>;
    expect(info).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      username: "admin",
      fingerprint: "",
      api: "jmap",
      version: "0.16.18",
    });
    const authorization = `Basic ${Buffer.from(`${info.username}:${info.password}`).toString("base64")}`;
    const session = (await (
      await fetch(`${info.url}/jmap/session`, { headers: { authorization } })
    ).json()) as any;
    expect(session.primaryAccounts["urn:stalwart:jmap"]).toBe("d333333");
    const keyed = await fetch(`${info.url}/jmap/session`, {
      headers: { authorization: `Bearer ${info.apiKey}` },
    });
    expect(keyed.status).toBe(200);
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
});
