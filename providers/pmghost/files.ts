/**
 * Files on the PMG host over SFTP. Contents travel inside the SFTP channel, never on a command
 * line (where `ps` would show them). A write is atomic: a temporary file next to the target, with
 * mode 0600 from the moment it exists, written, fsynced, optionally validated, then given its final
 * mode and owner and renamed over the target (posix-rename@openssh.com), so readers see the old file
 * or the new one, never a mix, and a failed validation leaves the old one untouched.
 */
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { SFTPWrapper, Stats } from "ssh2";
import { SshError } from "../../lib/errors";
import type { PmgHostClient } from "./client";
import { shellCommand } from "./shell";

/** SFTP status NO_SUCH_FILE. */
const NO_SUCH_FILE = 2;

export interface FileInfo {
  readonly kind: "file" | "symlink" | "directory" | "other";
  /** Permission bits, e.g. 0o600. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface WriteOptions {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Runs on the complete temporary file (still root-owned, mode 0600); throwing cancels the write. */
  readonly validate?: (tempPath: string) => Promise<void>;
}

const call = <T = void>(fn: (cb: (err?: Error | null, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));

const missing = (e: unknown) => (e as { code?: number }).code === NO_SUCH_FILE;

export class HostFiles {
  private readonly ids = new Map<string, Promise<{ uid: number; gid: number }>>();

  constructor(readonly client: PmgHostClient) {}

  /** The file's bytes, or undefined when it does not exist. */
  read(path: string): Promise<Buffer | undefined> {
    return this.client.fileOp(`read ${path}`, (s) =>
      call<Buffer>((cb) => s.readFile(path, cb)).catch((e) => (missing(e) ? undefined : Promise.reject(e))),
    );
  }

  async readText(path: string): Promise<string | undefined> {
    return (await this.read(path))?.toString("utf8");
  }

  /** What is at `path` itself (a symlink is reported as one), or undefined. */
  lstat(path: string): Promise<FileInfo | undefined> {
    return this.client.fileOp(`inspect ${path}`, async (s) => {
      try {
        return info(await call<Stats>((cb) => s.lstat(path, cb)));
      } catch (e) {
        if (missing(e)) return undefined;
        throw e;
      }
    });
  }

  /**
   * What is at `path` when it is a regular file, undefined when nothing is; anything else (a
   * symlink, a directory) is refused. A managed file is never written through a link: the write
   * would replace the link with a file carrying the link's mode (0777 from lstat), or follow it to
   * wherever it points (issue 14 item 5).
   */
  async regularFile(path: string): Promise<FileInfo | undefined> {
    const st = await this.lstat(path);
    if (st === undefined || st.kind === "file") return st;
    const target = st.kind === "symlink" ? ` to ${await this.readlink(path).catch(() => "?")}` : "";
    throw new SshError(
      "E_SSH_FILE",
      this.client.label,
      `manage ${path}`,
      `it is a ${st.kind}${target}, not a regular file; homelab-mail never writes through links or over other kinds of file`,
      `replace it by hand with a regular file holding the content you want (e.g. \`cp --remove-destination "$(readlink -f ${path})" ${path}\`), or remove it, then run pulumi up`,
    );
  }

  readlink(path: string): Promise<string> {
    return this.client.fileOp(`read the link ${path}`, (s) => call<string>((cb) => s.readlink(path, cb)));
  }

  async write(path: string, data: string | Buffer, opts: WriteOptions): Promise<void> {
    const temp = posix.join(
      posix.dirname(path),
      `.${posix.basename(path)}.homelab-mail-${randomBytes(6).toString("hex")}`,
    );
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    await this.removeStaleTemps(path);
    try {
      await this.client.fileOp(`write ${path} (temporary ${temp})`, (s) => writeSynced(s, temp, bytes));
      if (opts.validate) await opts.validate(temp);
      await this.client.fileOp(`set mode and owner of ${temp}`, async (s) => {
        await call((cb) => s.chmod(temp, opts.mode, cb));
        await call((cb) => s.chown(temp, opts.uid, opts.gid, cb));
      });
      await this.client.fileOp(`rename ${temp} to ${path}`, (s) =>
        call((cb) => s.ext_openssh_rename(temp, path, cb)),
      );
    } catch (e) {
      await this.remove(temp).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Temporary files of an earlier write to `path` that a dropped connection left behind (mode 0600,
   * next to the target, never anywhere else): removed before the next write, so a copy holding a
   * secret lives at most until the next run (issue 14 item 8).
   */
  private async removeStaleTemps(path: string): Promise<void> {
    const dir = posix.dirname(path);
    const prefix = `.${posix.basename(path)}.homelab-mail-`;
    const names = await this.client
      .fileOp(`list ${dir}`, (s) => call<{ filename: string }[]>((cb) => s.readdir(dir, cb)))
      .catch(() => [] as { filename: string }[]);
    for (const n of names.filter((e) => e.filename.startsWith(prefix)))
      await this.remove(posix.join(dir, n.filename)).catch(() => undefined);
  }

  /** Removes a file or symlink; false when it was already gone. */
  remove(path: string): Promise<boolean> {
    return this.client.fileOp(`remove ${path}`, (s) =>
      call((cb) => s.unlink(path, cb)).then(
        () => true,
        (e) => (missing(e) ? false : Promise.reject(e)),
      ),
    );
  }

  async setModeAndOwner(path: string, mode: number, uid: number, gid: number): Promise<void> {
    await this.client.fileOp(`set mode and owner of ${path}`, async (s) => {
      await call((cb) => s.chmod(path, mode, cb));
      await call((cb) => s.chown(path, uid, gid, cb));
    });
  }

  /** A user's uid and login gid from the host's passwd database, looked up once per client. */
  userIds(user: string): Promise<{ uid: number; gid: number }> {
    let found = this.ids.get(user);
    if (!found) {
      found = this.client.exec(shellCommand("getent", "passwd", user)).then((r) => {
        const f = r.stdout.trim().split(":");
        if (r.code !== 0 || f.length < 4) {
          throw new SshError(
            "E_SSH_COMMAND",
            this.client.label,
            `look up user ${user}`,
            "no such user on the host",
            `install the package that creates it (apt-get install ${user})`,
          );
        }
        return { uid: Number(f[2]), gid: Number(f[3]) };
      });
      found.catch(() => this.ids.delete(user));
      this.ids.set(user, found);
    }
    return found;
  }
}

function info(st: Stats): FileInfo {
  const kind = st.isSymbolicLink()
    ? "symlink"
    : st.isFile()
      ? "file"
      : st.isDirectory()
        ? "directory"
        : "other";
  return { kind, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

async function writeSynced(s: SFTPWrapper, path: string, bytes: Buffer): Promise<void> {
  // 'wx': create exclusively, so a stale file of the same name is never written through.
  const handle = await call<Buffer>((cb) => s.open(path, "wx", { mode: 0o600 }, cb));
  try {
    for (let off = 0; off < bytes.length; off += 16384) {
      const len = Math.min(16384, bytes.length - off);
      await call((cb) => s.write(handle, bytes, off, len, off, cb));
    }
    await call((cb) => s.ext_openssh_fsync(handle, cb));
  } finally {
    await call((cb) => s.close(handle, cb));
  }
}
