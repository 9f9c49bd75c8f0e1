/**
 * The SSH connection to the PMG host (ssh2, pure JS). The host key is pinned: the server may only
 * offer the pinned key's algorithm, and the key it presents must equal the configured one byte for
 * byte; there is no accept-any mode. One connection serves every resource in the provider process
 * (channels are multiplexed, at most MAX_CHANNELS at once, under OpenSSH's MaxSessions of 10), and
 * it is re-opened once if it drops. Every call here is idempotent, which is what makes that retry safe.
 */
import { Client, type SFTPWrapper } from "ssh2";
import { SshError } from "../../lib/errors";
import { connectFailure, hostKeyAlgorithms } from "./hostKey";
import { excerpt, redact } from "./shell";

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** `<type> <base64>`, as ssh-keyscan prints it without the host name. */
  readonly hostKey: string;
  /** OpenSSH or PEM private key, unencrypted. */
  readonly privateKey: string;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly stdin?: string | Buffer;
  /** Exit codes that are answers rather than failures. Default [0]. */
  readonly okCodes?: number[];
  /** How the command is named in errors, when the command line itself is too long or too technical. */
  readonly label?: string;
  readonly fix?: string;
  readonly timeoutMs?: number;
}

const MAX_CHANNELS = 6;
const DEFAULT_TIMEOUT_MS = 120_000;

/** Failures of the connection itself (not of a command), after which one reconnect is worth trying. */
class ConnectionLost extends Error {}
/**
 * The server refused to open one more channel (OpenSSH answers "open failed" when MaxSessions is
 * reached, and frees a session slot a moment after the client saw the channel close). The
 * connection itself is fine and shared by the other operations in flight: closing it, as for a
 * lost connection, failed them all ("No response from server"), which was the pmghost suite's flake.
 */
class ChannelRefused extends Error {}

export class PmgHostClient {
  readonly counters = { connections: 0, commands: 0, fileOps: 0 };
  /** `user@host:port`, as errors name the host. */
  readonly label: string;
  private connection?: Promise<Client>;
  private sftpChannel?: Promise<SFTPWrapper>;
  private open = 0;
  private readonly waiting: (() => void)[] = [];

  /** Values that must never appear in an error (the passwords written to this host). */
  secrets: (string | undefined)[] = [];

  constructor(private readonly target: SshTarget) {
    this.label = `${target.user}@${target.host}:${target.port}`;
  }

  /** Runs a command; a non-OK exit code becomes an SshError quoting its (redacted) stderr. */
  async run(command: string, opts: RunOptions = {}): Promise<ExecResult> {
    const r = await this.exec(command, opts);
    if (!(opts.okCodes ?? [0]).includes(r.code)) {
      const said = excerpt(this.redact(r.stderr || r.stdout)) || "no output";
      throw new SshError(
        "E_SSH_COMMAND",
        this.label,
        this.redact(`run \`${opts.label ?? command}\``),
        `exit code ${r.code}: ${said}`,
        opts.fix,
      );
    }
    return r;
  }

  /** Runs a command and returns whatever it exited with. */
  exec(command: string, opts: RunOptions = {}): Promise<ExecResult> {
    return this.retrying(`run \`${opts.label ?? command}\``, "E_SSH_COMMAND", async () => {
      const conn = await this.connect();
      await this.acquire();
      try {
        this.counters.commands++;
        return await execOn(conn, command, opts);
      } finally {
        this.release();
      }
    });
  }

  /** The shared SFTP channel, opened on first use. */
  private async openSftp(): Promise<SFTPWrapper> {
    const conn = await this.connect();
    this.sftpChannel ??= new Promise<SFTPWrapper>((resolve, reject) =>
      conn.sftp((err, s) => (err ? reject(new ConnectionLost(err.message)) : resolve(s))),
    );
    const channel = this.sftpChannel;
    channel.catch(() => this.sftpChannel === channel && (this.sftpChannel = undefined));
    return channel;
  }

  /** Runs a file operation, reconnecting once if the connection dropped under it. */
  fileOp<T>(action: string, fn: (s: SFTPWrapper) => Promise<T>): Promise<T> {
    return this.retrying(action, "E_SSH_FILE", async () => {
      this.counters.fileOps++;
      return fn(await this.openSftp());
    });
  }

  redact(text: string): string {
    return redact(text, this.secrets);
  }

  async close(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    this.sftpChannel = undefined;
    if (c) (await c.catch(() => undefined))?.end();
  }

  private async retrying<T>(
    action: string,
    code: "E_SSH_COMMAND" | "E_SSH_FILE",
    fn: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0, refused = 0; ; attempt++) {
      const used = this.connection;
      try {
        return await fn();
      } catch (e) {
        if (e instanceof SshError) throw e;
        if (e instanceof ChannelRefused && refused++ < 5) {
          attempt--; // not a lost connection: wait for a session slot, on the same connection
          await new Promise((r) => setTimeout(r, 100 * refused));
          continue;
        }
        const lost = e instanceof ConnectionLost || (e as { code?: string }).code === "ECONNRESET";
        if (lost && attempt === 0) {
          // Only the connection this operation used: another one's retry may already have a new one.
          if (this.connection === used || used === undefined) await this.close();
          continue;
        }
        const reason = this.redact((e as Error).message || String(e));
        throw new SshError(
          lost ? "E_SSH_CONNECT" : code,
          this.label,
          this.redact(action),
          reason,
          lost ? "check that the host is up and run pulumi up again" : undefined,
        );
      }
    }
  }

  private connect(): Promise<Client> {
    if (this.connection) return this.connection;
    const [type, base64] = this.target.hostKey.trim().split(/\s+/);
    const pinned = Buffer.from(base64 ?? "", "base64");
    let presented: Buffer | undefined;
    const attempt = new Promise<Client>((resolve, reject) => {
      const conn = new Client();
      let ready = false;
      conn.on("ready", () => {
        // Many small request-answer exchanges: Nagle plus delayed ACKs would add ~40 ms to each.
        conn.setNoDelay(true);
        ready = true;
        this.counters.connections++;
        resolve(conn);
      });
      conn.on("error", (err: Error & { level?: string; code?: string }) => {
        if (!ready)
          reject(connectFailure(this.label, this.target.user, err, pinned, presented, (t) => this.redact(t)));
      });
      conn.on("close", () => {
        if (this.connection === attempt) {
          this.connection = undefined;
          this.sftpChannel = undefined;
        }
        if (!ready)
          reject(
            new SshError(
              "E_SSH_CONNECT",
              this.label,
              "connect",
              "the connection closed during the handshake",
              "check the host and port",
            ),
          );
      });
      conn.connect({
        host: this.target.host,
        port: this.target.port,
        username: this.target.user,
        privateKey: this.target.privateKey,
        readyTimeout: 20_000,
        keepaliveInterval: 15_000,
        algorithms: { serverHostKey: hostKeyAlgorithms(type) as never },
        hostVerifier: (key: Buffer) => {
          presented = key;
          return key.equals(pinned);
        },
      });
    });
    this.connection = attempt;
    attempt.catch(() => this.connection === attempt && (this.connection = undefined));
    return attempt;
  }

  private acquire(): Promise<void> {
    if (this.open < MAX_CHANNELS) {
      this.open++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.open--;
  }
}

function execOn(conn: Client, command: string, opts: RunOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    conn.exec(command, (err, channel) => {
      if (err)
        return reject(
          /channel open failure|open failed/i.test(err.message)
            ? new ChannelRefused(err.message)
            : new ConnectionLost(err.message),
        );
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let code: number | undefined;
      const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      channel.on("data", (d: Buffer) => out.push(d));
      channel.stderr.on("data", (d: Buffer) => errs.push(d));
      channel.on("exit", (c: number | null, signal?: string) => {
        code = typeof c === "number" ? c : signal ? 128 : -1;
      });
      channel.on("close", () => {
        clearTimeout(timer);
        if (code === undefined)
          return reject(new ConnectionLost("the connection closed before the command finished"));
        resolve({
          code,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(errs).toString("utf8"),
        });
      });
      channel.end(opts.stdin);
    });
  });
}
