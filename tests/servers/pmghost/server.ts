/**
 * The PMG host test bed: Debian's real OpenSSH server on loopback, chrooted into an isolated root
 * (root.ts) inside a private mount namespace (bed.sh), where the real fetchmail, postmap and postconf
 * run and `pmgconfig` and `systemctl` are recording doubles. Counts connections and logins from
 * sshd's own log; fault switches fail the sync, revoke the client key and drop live sessions.
 * Needs root (mount namespaces, chroot), as CI has it.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { buildRoot, USER } from "./root";

const BED_SCRIPT = path.join(__dirname, "bed.sh");
const run = promisify(execFile);

export interface PmgHostBed {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The bed's host key, `ssh-ed25519 AAAA...`. */
  readonly hostKey: string;
  /** The throwaway client key sshd accepts (OpenSSH format). */
  readonly privateKey: string;
  /** The isolated root on this machine: `path("etc/fetchmailrc")` is the bed's /etc/fetchmailrc. */
  readonly root: string;
  path(rel: string): string;
  /**
   * What sshd logged: TCP connections, successful logins, and sessions (each command a client
   * runs, and each SFTP subsystem it opens, whose file operations sshd does not log one by one).
   */
  readonly counters: { readonly connections: number; readonly logins: number; readonly sessions: number };
  /**
   * Waits until sshd's log has been quiet for `quietMs`: its lines reach this process through a
   * pipe, and on a loaded machine a line about a connection can arrive after the test moved on.
   * Read counters only after this, or a late line of an earlier step is counted in the next one.
   */
  settle(quietMs?: number): Promise<void>;
  /** Recorded calls of a double, one argument line each. */
  calls(tool: "pmgconfig" | "systemctl"): string[];
  /** Runs a shell command inside the bed (its mounts and root), not through sshd. */
  sh(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  readonly faults: {
    /** Make `pmgconfig sync` fail with this message, or succeed again with undefined. */
    failSync(message: string | undefined): void;
    /** Remove or restore the client key in authorized_keys. */
    revokeClientKey(revoked: boolean): void;
    /** Kill every live SSH session (the listener stays). */
    dropConnections(): Promise<void>;
  };
  readonly logs: string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Processes in the mount namespace `ns` (`mnt:[...]`) other than `except`, by pid. */
function nsProcesses(ns: string, except: number[] = []): number[] {
  return fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      if (except.includes(pid)) return false;
      try {
        return fs.readlinkSync(`/proc/${pid}/ns/mnt`) === ns;
      } catch {
        return false;
      }
    });
}

const parentOf = (pid: number) =>
  Number(/^\d+ \(.*\) \S (\d+)/.exec(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1]);

export async function startPmgHostBed(
  opts: {
    port?: number;
    /** A network namespace (`/proc/<pid>/ns/net`) to run in, as the lab does (tests/lab/netns.ts). */
    netns?: string;
  } = {},
): Promise<PmgHostBed> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "the PMG host test bed needs root (a private mount namespace and chroot); run the tests as root, as CI does",
    );
  }
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const built = buildRoot(port);
    const logs: string[] = [];
    const lastLine = { at: Date.now() };
    const unshare = [
      "unshare",
      "--mount",
      "--uts",
      "--propagation",
      "private",
      "bash",
      BED_SCRIPT,
      built.dir,
      String(process.pid),
    ];
    const argv = opts.netns ? ["nsenter", `--net=${opts.netns}`, "--", ...unshare] : unshare;
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const started = await new Promise<boolean>((resolve, reject) => {
      const onLine = (chunk: Buffer) => {
        lastLine.at = Date.now();
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
          logs.push(line);
          if (/Server listening on 127\.0\.0\.1 port/.test(line)) resolve(true);
        }
      };
      child.stdout!.on("data", onLine);
      child.stderr!.on("data", onLine);
      child.on("exit", () =>
        logs.some((l) => /Address already in use/.test(l))
          ? resolve(false)
          : reject(new Error(`pmghost bed failed to start:\n${logs.join("\n")}`)),
      );
      child.on("error", reject);
    }).catch((e) => {
      fs.rmSync(built.dir, { recursive: true, force: true });
      throw e;
    });
    if (!started) {
      fs.rmSync(built.dir, { recursive: true, force: true });
      if (attempt < 4 && opts.port === undefined) continue;
      throw new Error(
        opts.port === undefined
          ? "pmghost bed: no free port after 5 attempts"
          : `pmghost bed: port ${opts.port} is in use`,
      );
    }
    return makeBed(child, port, built, logs, lastLine);
  }
}

function makeBed(
  child: ChildProcess,
  port: number,
  built: ReturnType<typeof buildRoot>,
  logs: string[],
  lastLine: { at: number },
): PmgHostBed {
  const root = built.dir;
  const at = (rel: string) => path.join(root, rel.replace(/^\/+/, ""));
  const bedPid = child.pid!;
  // Read now: once the bed's shell exits, its namespace can only be found through the sessions left in it.
  const ns = fs.readlinkSync(`/proc/${bedPid}/ns/mnt`);
  const sshdPid = () =>
    nsProcesses(ns).find(
      (p) => parentOf(p) === bedPid && fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("sshd"),
    );
  const authorized = at("home/pmgtest/.ssh/authorized_keys");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let closed = false;

  return {
    host: "127.0.0.1",
    port,
    user: USER,
    hostKey: built.hostKey,
    privateKey: built.privateKey,
    root,
    path: at,
    logs,
    async settle(quietMs = 300) {
      const deadline = Date.now() + 10_000;
      while (Date.now() - lastLine.at < quietMs && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
    },
    counters: {
      get connections() {
        return logs.filter((l) => /Connection from 127\.0\.0\.1 port \d+ on/.test(l)).length;
      },
      get logins() {
        return logs.filter((l) => /Accepted publickey for /.test(l)).length;
      },
      get sessions() {
        return logs.filter((l) => /Starting session: /.test(l)).length;
      },
    },
    calls(tool) {
      const f = at(`var/log/testbed/${tool}.log`);
      return fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter(Boolean) : [];
    },
    async sh(command) {
      const r = await run(
        "nsenter",
        [
          `--mount=/proc/${bedPid}/ns/mnt`,
          `--uts=/proc/${bedPid}/ns/uts`,
          `--net=/proc/${bedPid}/ns/net`,
          "--",
          "chroot",
          root,
          "/bin/bash",
          "-c",
          command,
        ],
        {
          env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C" },
          encoding: "utf8",
        },
      ).then(
        (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: typeof e.code === "number" ? e.code : 1,
          stdout: e.stdout ?? "",
          stderr: e.stderr ?? "",
        }),
      );
      return r;
    },
    faults: {
      failSync(message) {
        if (message === undefined) fs.rmSync(at("etc/pmg/testbed-fail-sync"), { force: true });
        else fs.writeFileSync(at("etc/pmg/testbed-fail-sync"), `${message}\n`);
      },
      revokeClientKey(revoked) {
        fs.writeFileSync(authorized, revoked ? "" : `${built.clientPublicKey}\n`, { mode: 0o600 });
      },
      async dropConnections() {
        const master = sshdPid();
        for (const pid of nsProcesses(ns, master ? [master] : [])) {
          if (master && parentOf(pid) === master) process.kill(pid, "SIGKILL");
        }
        await new Promise((r) => setTimeout(r, 100));
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      // Sessions outlive their listener: kill them by pid while the bed's shell keeps the namespace
      // (and so the meaning of `ns`) alive, then stop the shell, which stops sshd.
      const master = sshdPid();
      for (const pid of nsProcesses(ns, [bedPid, ...(master ? [master] : [])])) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
      if (master && fs.existsSync(`/proc/${master}`) && fs.readlinkSync(`/proc/${master}/ns/mnt`) === ns)
        process.kill(master, "SIGKILL");
      // The mounts lived only in the bed's namespace: here ROOT holds plain files and empty mountpoints.
      if (fs.readFileSync("/proc/self/mountinfo", "utf8").includes(` ${root}/`))
        throw new Error(`pmghost bed: ${root} has mounts in this namespace; not removing it`);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
