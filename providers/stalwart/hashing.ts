/**
 * Password hashing that never blocks the provider host's event loop (issue 15). sha512-crypt in
 * JavaScript costs 15-20 ms of CPU per call, so it runs in worker threads; a password this process
 * generated goes out as `{SSHA512}` instead (one native SHA-512, microseconds; passwords.ts says why
 * that is enough for a 138-bit random secret). Verification takes the quick path first (a hash made
 * or verified before, `{SSHA512}`, plain text) and sends only sha512-crypt and bcrypt to a worker.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { isGeneratedHere, remember, ssha512, verifyQuickly } from "./passwords";

/** The hash sent to Stalwart ≤0.15 for `password`. */
export async function hashForServer(password: string): Promise<string> {
  if (isGeneratedHere(password)) return ssha512(password);
  const hash = await pool().run<string>({ op: "hash", password });
  remember(hash, password);
  return hash;
}

/** verifyPassword (passwords.ts), with anything slow computed off the event loop. */
export async function verifyOffThread(password: string, stored: string): Promise<boolean | undefined> {
  const quick = verifyQuickly(password, stored);
  if (quick !== "slow") return quick;
  const ok = await pool().run<boolean | undefined>({ op: "verify", password, stored });
  if (ok === true) remember(stored, password);
  return ok;
}

type Job = { op: "hash"; password: string } | { op: "verify"; password: string; stored: string };

// The worker loads passwords.ts (or the compiled .js next to it) itself; TypeScript only under ts-node or jest.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
if (workerData.file.endsWith(".ts") && !require.extensions[".ts"])
  require(workerData.tsNode).register({ transpileOnly: true });
const p = require(workerData.file);
parentPort.on("message", ({ id, job }) => {
  try {
    const value = job.op === "hash" ? p.hashPassword(job.password) : p.verifyPassword(job.password, job.stored);
    parentPort.postMessage({ id, value });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message) });
  }
});
`;

class HashPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(private readonly size: number) {}

  run<T>(job: Job): Promise<T> {
    const id = this.next++;
    const worker = this.worker(id % this.size);
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: never) => void, reject });
      worker.ref();
      worker.postMessage({ id, job });
    });
  }

  private worker(i: number): Worker {
    if (this.workers[i]) return this.workers[i];
    const file = require.resolve("./passwords");
    const w = new Worker(WORKER, {
      eval: true,
      workerData: { file, tsNode: file.endsWith(".ts") ? require.resolve("ts-node") : "" },
    });
    w.unref();
    w.on("message", (m: { id: number; value?: unknown; error?: string }) => {
      const wait = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (![...this.waiting.keys()].some((id) => id % this.size === i)) w.unref();
      if (m.error !== undefined) wait?.reject(new Error(`stalwart: password hashing failed: ${m.error}`));
      else wait?.resolve(m.value as never);
    });
    w.on("error", (e) => this.fail(i, e));
    w.on("exit", () => this.fail(i, new Error("stalwart: the password hashing worker exited")));
    return (this.workers[i] = w);
  }

  private fail(i: number, e: Error): void {
    delete this.workers[i];
    for (const [id, wait] of this.waiting)
      if (id % this.size === i) {
        this.waiting.delete(id);
        wait.reject(e);
      }
  }
}

let shared: HashPool | undefined;
/** Two workers at most: the host's own thread keeps one core for I/O on small machines. */
const pool = () => (shared ??= new HashPool(Math.max(1, Math.min(2, availableParallelism() - 1))));
