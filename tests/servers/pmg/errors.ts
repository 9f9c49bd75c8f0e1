// Errors as the handlers raise them. A handler `die "text\n"` becomes a 500 whose reason phrase is
// the first line and whose JSON `message` keeps the whole text; PVE::Exception carries a code.
export class PmgError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}

/** `die "<text>"` inside a handler. */
export function die(text: string): never {
  throw new PmgError(500, text);
}

/** raise_param_exc: 400 "Parameter verification failed." with per-parameter errors. */
export function paramError(errors: Record<string, string>): PmgError {
  return new PmgError(400, "Parameter verification failed.\n", errors);
}

/** raise_perm_exc: 403 "Permission check failed". */
export function permError(): PmgError {
  return new PmgError(403, "Permission check failed\n");
}

/** Serializes config writes like PMG::Config::lock_config (flock on /var/lock/pmgconfig.lck). */
export class ConfigLock {
  private tail: Promise<unknown> = Promise.resolve();
  active = 0;

  /** Runs `fn` under the lock; a failure is re-raised as "<action>: <inner message>". */
  run<T>(action: string, fn: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.active++;
      try {
        return await fn();
      } catch (e) {
        const inner = e instanceof Error ? e.message : String(e);
        throw new PmgError(500, `${action}: ${inner}`);
      } finally {
        this.active--;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
