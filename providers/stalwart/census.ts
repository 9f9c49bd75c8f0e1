/**
 * One listing of the server's principals answering the delete guard (lifecycle.ts `guardDelete`)
 * for many concurrent deletes (issue 15: "the mailbox check stays, but one list request can answer
 * it for many concurrent deletes").
 *
 * The engine runs up to `--parallel` deletes at once, and each used to read its principal, then
 * delete it: two round trips in a row. Here a delete that runs beside others takes the newest
 * listing instead, so its only round trip is the delete itself. The rules that keep the guard's
 * promise (never destroy a mailbox that holds mail unless the resource allows it):
 *  - A listing is used only while it is recent: its request was sent at most twice as long before
 *    the delete started as a listing takes to answer, and never more than MAX_AGE_MS before. An
 *    own read taken just before the delete is itself one round trip old when the delete lands;
 *    this one is at most about three, tens of milliseconds on a LAN. While deletes keep coming,
 *    one listing is kept in flight, so a recent one is always at hand.
 *  - A listing only ever lets a delete go ahead. What it would refuse (mail held, usage unknown,
 *    addresses still in a domain), or cannot match exactly (another id, name or type, or absent),
 *    is read again on its own, as before, and judged on that fresh read.
 *  - A lone delete never lists: it reads its principal, as before.
 *  - A listing that fails is not tried again in this process; deletes read on their own.
 */
import type { PrincipalRecord } from "./model";

/** The oldest a listing may be, from its request to the start of the delete that uses it. */
export const MAX_AGE_MS = 250;

interface Listing {
  readonly sentAt: number;
  readonly tookMs: number;
  readonly byId: ReadonlyMap<string, PrincipalRecord>;
}

export class DeleteCensus {
  private latest?: Listing;
  private pending?: { sentAt: number; promise: Promise<Listing | undefined> };
  private running = 0;
  private broken = false;
  /** Listings sent, for tests and the benchmark. */
  listings = 0;

  constructor(
    /** Every principal the listing covers, by the server's id. */
    private readonly list: () => Promise<ReadonlyMap<string, PrincipalRecord>>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Runs one delete. `check` gets the listing's record of `principalId` when one may stand in for
   * the delete's own read (see the rules above), else undefined: then the delete reads on its own.
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
    let listing: Listing | undefined;
    if (this.latest && recent(this.latest.sentAt)) {
      listing = this.latest;
      this.refresh(); // the next deletes find a newer one
    } else if (this.pending && recent(this.pending.sentAt)) {
      listing = await this.pending.promise;
    } else {
      listing = await this.refresh().promise;
    }
    return listing?.byId.get(principalId);
  }

  /** Twice what the last listing took (a listing sent now is that old when it answers), within bounds. */
  private maxAgeMs(): number {
    return Math.min(MAX_AGE_MS, Math.max(2, 2 * (this.latest?.tookMs ?? 0)));
  }

  /** The listing in flight, or a new one. */
  private refresh(): { sentAt: number; promise: Promise<Listing | undefined> } {
    if (this.pending) return this.pending;
    const sentAt = this.now();
    this.listings++;
    const promise = this.list().then(
      (byId): Listing => {
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
