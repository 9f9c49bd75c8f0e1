import * as fs from "node:fs";
import { PmgHostClient } from "../../../providers/pmghost/client";
import { HostFiles } from "../../../providers/pmghost/files";
import { SshError } from "../../../lib/errors";
import { startPmgHostBed, type PmgHostBed } from "../../servers/pmghost/server";

/** A host key that is valid but not the bed's. */
const OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f";

describe("PmgHostClient against a real sshd", () => {
  let bed: PmgHostBed;
  const clients: PmgHostClient[] = [];
  const client = (over: { hostKey?: string; port?: number } = {}) => {
    const c = new PmgHostClient({
      host: bed.host,
      port: over.port ?? bed.port,
      user: bed.user,
      hostKey: over.hostKey ?? bed.hostKey,
      privateKey: bed.privateKey,
    });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    bed = await startPmgHostBed();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await bed?.close();
  });

  it("refuses a host whose key is not the pinned one, before logging in", async () => {
    await bed.settle();
    const logins = bed.counters.logins;
    const err = await client({ hostKey: OTHER_KEY })
      .run("true")
      .catch((e: SshError) => e);
    expect(err).toBeInstanceOf(SshError);
    expect(err).toMatchObject({ code: "E_SSH_HOSTKEY", host: `${bed.user}@127.0.0.1:${bed.port}` });
    expect(String(err)).toMatch(
      /presented key SHA256:\S+, but homelab-mail:pmg\.ssh\.hostKey pins SHA256:\S+; if the host was reinstalled, verify/,
    );
    await bed.settle();
    expect(bed.counters.logins).toBe(logins);
  });

  it("says which key to authorize when the host refuses ours", async () => {
    bed.faults.revokeClientKey(true);
    try {
      const err = await client()
        .run("true")
        .catch((e: SshError) => e);
      expect(err).toMatchObject({ code: "E_SSH_AUTH" });
      expect(String(err)).toMatch(
        /refused the key from homelab-mail:pmgSshPrivateKey; add its public key to ~pmgtest\/\.ssh\/authorized_keys/,
      );
    } finally {
      bed.faults.revokeClientKey(false);
    }
  });

  it("names the host and the fix when nothing listens", async () => {
    const err = await client({ port: 1 })
      .run("true")
      .catch((e: SshError) => e);
    expect(err).toMatchObject({ code: "E_SSH_CONNECT" });
    expect(String(err)).toMatch(
      /ssh pmgtest@127\.0\.0\.1:1: connect failed: .*check homelab-mail:pmg\.ssh\.host and port/,
    );
  });

  it("runs many commands and file operations at once over one connection", async () => {
    const c = client();
    const files = new HostFiles(c);
    await bed.settle();
    const logins = bed.counters.logins;
    const results = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => c.run(`echo ${i}`).then((r) => r.stdout.trim())),
      ...Array.from({ length: 6 }, () => files.lstat("/etc/passwd").then((s) => s?.kind)),
    ]);
    expect(results).toEqual([...Array.from({ length: 12 }, (_, i) => String(i)), ...Array(6).fill("file")]);
    await bed.settle();
    expect([c.counters.connections, bed.counters.logins]).toEqual([1, logins + 1]);
  });

  it("reconnects once when the connection drops between calls", async () => {
    const c = client();
    await c.run("true");
    await bed.faults.dropConnections();
    expect((await c.run("echo again")).stdout).toBe("again\n");
    expect(c.counters.connections).toBe(2);
  });

  it("writes atomically with mode and owner, and keeps the old file when validation fails", async () => {
    const files = new HostFiles(client());
    await files.write("/etc/pmg/atomic.txt", "old\n", { mode: 0o600, uid: 991, gid: 65534 });
    const st = fs.statSync(bed.path("etc/pmg/atomic.txt"));
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o600, 991, 65534]);
    const rejected = files.write("/etc/pmg/atomic.txt", "new\n", {
      mode: 0o644,
      uid: 0,
      gid: 0,
      validate: async (temp) => {
        expect(fs.statSync(bed.path(temp)).mode & 0o777).toBe(0o600); // private from the moment it exists
        throw new Error("validation says no");
      },
    });
    await expect(rejected).rejects.toThrow("validation says no");
    expect(fs.readFileSync(bed.path("etc/pmg/atomic.txt"), "utf8")).toBe("old\n");
    expect(fs.readdirSync(bed.path("etc/pmg")).filter((f) => f.includes("homelab-mail"))).toEqual([]);
    expect([await files.remove("/etc/pmg/atomic.txt"), await files.remove("/etc/pmg/atomic.txt")]).toEqual([
      true,
      false,
    ]);
    expect(await files.read("/etc/pmg/atomic.txt")).toBeUndefined();
  });

  it("keeps configured secrets out of command errors", async () => {
    const c = client();
    c.secrets = ["app-password-123"];
    const err = await c.run("echo 'login failed for app-password-123' >&2; exit 7").catch((e: Error) => e);
    expect(String(err)).toMatch(/exit code 7: login failed for \[redacted\]/);
    expect(String(err)).not.toContain("app-password-123");
  });
});
