/**
 * One listing of the server's principals answering many concurrent reads and delete checks
 * (issue 15: "one list request can answer it for many concurrent deletes"; refresh the same way).
 *
 * The engine runs up to `--parallel` steps at once. A refresh read its principal with one request
 * per resource, and a delete read it, then deleted it: two round trips in a row. Here a read or a
 * delete that runs beside others takes the newest listing instead, so a read needs no round trip of
 * its own and a delete only the delete. The rules:
 *  - A listing is used only while it is recent: its request was sent at most twice as long before
 *    the step started as a listing takes to answer, and never more than MAX_AGE_MS before. An own
 *    read is itself about one round trip old when its answer is used, or when the delete after it
 *    lands; this one is at most about three, tens of milliseconds on a LAN. While steps keep
 *    coming, one listing is kept in flight, so a recent one is always at hand.
 *  - A listing answers only for a principal it holds with the same id, name and type. Anything else
 *    (absent: deleted, or renamed by hand) is read on its own, as before.
 *  - For a delete, a listing only ever lets it go ahead (the delete guard, lifecycle.ts): what it
 *    would refuse (mail held, usage unknown, addresses still in a domain) is read again on its own
 *    and judged on that fresh read, so the guard never refuses on a stale answer, and lets a delete
 *    go ahead on one at most a few round trips old.
 *  - A lone step never lists: it reads its principal, as before. When a burst of steps ends, the
 *    listing kept in flight for the next one is not used: one read request for nothing.
 *  - A listing that fails, or that holds more than MAX_LISTED principals (a server far larger than
 *    what this program manages, where one listing costs more than many reads), is not made again in
 *    this process; steps read on their own.
 */
import type { PrincipalRecord } from "./model";

/** The oldest a listing may be, from its request to the start of the step that uses it. */
export const MAX_AGE_MS = 250;
/** Above this many principals, listing is turned off after the first listing. */
export const MAX_LISTED = 5000;

interface Listing<Raw> {
  readonly sentAt: number;
  readonly tookMs: number;
  readonly byId: ReadonlyMap<string, Raw>;
}

/** Listings of `Raw` items (as the server sent them); only the one a step uses becomes a record. */
export class Census<Raw = PrincipalRecord> {
  private latest?: Listing<Raw>;
  private pending?: { sentAt: number; promise: Promise<Listing<Raw> | undefined> };
  private running = 0;
  private broken = false;
  /** Listings sent, for tests and the benchmark. */
  listings = 0;

  constructor(
    /** Every principal the listing covers, by the server's id. */
    private readonly list: () => Promise<ReadonlyMap<string, Raw>>,
    /** The record of one listed item (made only for the item a step uses: a listing is large). */
    private readonly toRecord: (raw: Raw) => PrincipalRecord | Promise<PrincipalRecord> = (raw) =>
      raw as unknown as PrincipalRecord,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Runs one read or delete. `work` gets the listing's record of `principalId` when one may stand in
   * for the step's own read (see the rules above), else undefined: then the step reads on its own.
   */
  async run<T>(principalId: string | undefined, work: (listed?: PrincipalRecord) => Promise<T>): Promise<T> {
    this.running++;
    try {
      const listed =
        principalId !== undefined && this.running > 1 ? await this.lookup(principalId) : undefined;
      return await work(listed);
    } finally {
      this.running--;
    }
  }

  private async lookup(principalId: string): Promise<PrincipalRecord | undefined> {
    if (this.broken) return undefined;
    const startedAt = this.now();
    const recent = (sentAt: number) => startedAt - sentAt <= this.maxAgeMs();
    let listing: Listing<Raw> | undefined;
    if (this.latest && recent(this.latest.sentAt)) {
      listing = this.latest;
      this.refresh(); // the next steps find a newer one
    } else if (this.pending) {
      // One listing at a time: one sent too long ago (a slow server) is no answer for this step.
      if (!recent(this.pending.sentAt)) return undefined;
      listing = await this.pending.promise;
    } else {
      listing = await this.refresh().promise;
    }
    const raw = listing?.byId.get(principalId);
    if (raw === undefined) return undefined;
    try {
      return await this.toRecord(raw);
    } catch {
      return undefined; // (JMAP reads an alias's domain to make the record) the step reads on its own
    }
  }

  /** Twice what the last listing took (a listing sent now is that old when it answers), within bounds. */
  private maxAgeMs(): number {
    return Math.min(MAX_AGE_MS, Math.max(2, 2 * (this.latest?.tookMs ?? 0)));
  }

  /** The listing in flight, or a new one. */
  private refresh(): { sentAt: number; promise: Promise<Listing<Raw> | undefined> } {
    if (this.pending) return this.pending;
    const sentAt = this.now();
    this.listings++;
    const promise = this.list().then(
      (byId): Listing<Raw> => {
        if (byId.size > MAX_LISTED) this.broken = true;
        const listing = { sentAt, tookMs: this.now() - sentAt, byId };
        if (!this.latest || this.latest.sentAt < sentAt) this.latest = listing;
        return listing;
      },
      () => {
        this.broken = true;
        return undefined;
      },
    );
    const pending = { sentAt, promise };
    this.pending = pending;
    void promise.finally(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    return pending;
  }
}
