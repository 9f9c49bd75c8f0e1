// `npm run test-server -- unifi`: one JSON line with the endpoint and test-only credentials, then serves until killed.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fetch } from "undici";
import { createDispatcher } from "../../../providers/http";

const root = path.resolve(__dirname, "../../..");

describe("the standalone UniFi stand-in", () => {
  it("prints its endpoint, credentials and version, and serves with them", async () => {
    const child = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "tests/servers/start.ts",
        "unifi",
        "--version",
        "9.4.19",
        "--v2-put",
        "false",
      ],
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
      expect(Object.keys(info).sort()).toEqual([
        "apiKey",
        "fingerprint",
        "password",
        "url",
        "username",
        "version",
      ]);
      expect(info).toMatchObject({
        url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
        version: "9.4.19",
      });

      const dispatcher = createDispatcher({ tlsFingerprint: info.fingerprint });
      const res = await fetch(`${info.url}/proxy/network/integration/v1/info`, {
        headers: { "X-API-Key": info.apiKey },
        dispatcher,
      });
      expect(await res.json()).toEqual({ applicationVersion: "9.4.19" });
      await dispatcher.close();
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    }
  });
});
