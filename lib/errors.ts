/**
 * The project's one error hierarchy. Every error has a stable `code`; API errors carry the system,
 * method, path, status and the server's own message, and never a credential.
 */
export class HomelabMailError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Stack configuration is invalid: every problem, each naming its key and the fix. */
export class ConfigError extends HomelabMailError {
  constructor(readonly problems: string[]) {
    super(
      "E_CONFIG",
      `the stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((x) => `  - ${x}`).join("\n"),
    );
  }
}

/** A provider was called before or without a successful `configure`. */
export class NotConfiguredError extends HomelabMailError {
  constructor(message: string) {
    super("E_NOT_CONFIGURED", message);
  }
}

export interface ApiErrorDetails {
  readonly system: "pmg" | "stalwart" | "unifi" | "cloudflare";
  readonly method: string;
  readonly path: string;
  /** HTTP status, or 0 when no answer arrived (connection refused, reset, timeout). */
  readonly status: number;
  /** The server's own message, trimmed; or the transport error's. */
  readonly serverMessage: string;
  /** Per-parameter messages (PMG's `errors` on 400). */
  readonly fieldErrors?: Record<string, string>;
}

/** A request to a managed system failed. */
export class ApiError extends HomelabMailError implements ApiErrorDetails {
  readonly system: ApiErrorDetails["system"];
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly serverMessage: string;
  readonly fieldErrors?: Record<string, string>;

  constructor(d: ApiErrorDetails, code = "E_API", hint?: string) {
    const fields = d.fieldErrors
      ? ": " +
        Object.entries(d.fieldErrors)
          .map(([k, m]) => `${k}: ${m.trim()}`)
          .join("; ")
      : "";
    super(
      code,
      `${d.system}: ${d.method} ${d.path} failed (${d.status || "no answer"}): ${d.serverMessage}${fields}${hint ? `; ${hint}` : ""}`,
    );
    Object.assign(this, d);
    this.system = d.system;
    this.method = d.method;
    this.path = d.path;
    this.status = d.status;
    this.serverMessage = d.serverMessage;
  }
}

/** An object exists on the server and differs from the declaration: refused, not overwritten. */
export class AdoptionRefusedError extends HomelabMailError {
  constructor(message: string) {
    super("E_ADOPT_REFUSED", message);
  }
}

export type SshErrorCode = "E_SSH_CONNECT" | "E_SSH_HOSTKEY" | "E_SSH_AUTH" | "E_SSH_COMMAND" | "E_SSH_FILE";

/** Something on a managed host over SSH failed: names the host, the command or file, and the fix; never a credential. */
export class SshError extends HomelabMailError {
  constructor(
    code: SshErrorCode,
    /** `user@host:port`. */
    readonly host: string,
    /** What was attempted: `connect`, `run \`postmap ...\``, `write /etc/fetchmailrc`. */
    readonly action: string,
    /** Why it failed, already free of secrets. */
    readonly reason: string,
    readonly fix?: string,
  ) {
    super(code, `ssh ${host}: ${action} failed: ${reason}${fix ? `; ${fix}` : ""}`);
  }
}
