/**
 * Waits for a server to go quiet: a client may still have a request on its way after its last step
 * answered (the project keeps one listing in flight while reads or deletes keep coming:
 * providers/stalwart/census.ts), and it belongs to the row that sent it.
 */
export async function quiet(count: () => number, rttMs: number): Promise<void> {
  const step = Math.max(10, 3 * rttMs);
  const deadline = performance.now() + 2000;
  for (let last = count(); performance.now() < deadline;) {
    await new Promise((r) => setTimeout(r, step));
    const now = count();
    if (now === last) return;
    last = now;
  }
}
