/**
 * One fault-suite row, run as a person would: the operation once under the fault; on failure the
 * message is kept, the fault ends (as a flaky link recovers or an operator fixes a credential) and
 * the same operation runs once more. Server state is kept between the two, so a second run has to
 * cope with whatever the first left behind (an object made by a write whose answer was lost).
 */
import type { FaultTable } from "./table";

export interface Recovering {
  /** The server's request count now (read at each call: some stand-ins replace their counters). */
  requests(): number;
  /** Ends the fault without touching the server's state. */
  recover(): void;
  /** Faults queued that no request met yet: a run that succeeds must have met them all. */
  pending?(): number;
}

export interface Attempt<T> {
  readonly result: T;
  /** The first run's error, when it failed. */
  readonly error?: Error;
}

export async function attempt<T>(
  table: FaultTable,
  row: { fault: string; operation: string },
  server: Recovering,
  op: () => Promise<T>,
): Promise<Attempt<T>> {
  const started = Date.now();
  const before = server.requests();
  let error: Error | undefined;
  let result: T;
  try {
    result = await op();
  } catch (e) {
    error = e as Error;
    server.recover();
    result = await op();
  }
  const left = error ? 0 : (server.pending?.() ?? 0);
  if (left > 0)
    throw new Error(`${row.fault}: ${left} fault(s) never met a request, so the row proves nothing`);
  const outcome = error
    ? `failed: ${error.message.slice(0, 200)}; converged on the next run`
    : "converged in the same run";
  table.add({ ...row, outcome, requests: server.requests() - before, ms: Date.now() - started });
  return { result, error };
}
