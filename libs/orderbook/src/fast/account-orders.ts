/**
 * Per-account lists of the fast book's live orders (resting and untriggered), in
 * acceptance order: what `cancelAll` walks. Intrusive: the links live in the order
 * pool (`acctNext`/`acctPrev`/`acctRec`); this class keeps one head/tail record per
 * account id, found through a `PositiveIntHash`. Records are never freed (accounts are
 * few and long-lived), so a steady state allocates nothing.
 */
import { NO_SLOT, type OrderPool } from './order-pool.js';
import { PositiveIntHash } from './positive-int-hash.js';

export class AccountOrders {
  private readonly recordOf = new PositiveIntHash(256);
  private head = new Int32Array(64);
  private tail = new Int32Array(64);
  private accountOf = new Float64Array(64);
  private records = 0;

  constructor(private readonly pool: OrderPool) {}

  /** Appends `slot` to its account's list. */
  add(slot: number): void {
    const pool = this.pool;
    let rec = this.recordOf.get(pool.account[slot]);
    if (rec < 0) rec = this.newRecord(pool.account[slot]);
    const last = this.tail[rec];
    pool.acctRec[slot] = rec;
    pool.acctPrev[slot] = last;
    pool.acctNext[slot] = NO_SLOT;
    if (last === NO_SLOT) this.head[rec] = slot;
    else pool.acctNext[last] = slot;
    this.tail[rec] = slot;
  }

  remove(slot: number): void {
    const pool = this.pool;
    const rec = pool.acctRec[slot];
    const prev = pool.acctPrev[slot];
    const next = pool.acctNext[slot];
    if (prev === NO_SLOT) this.head[rec] = next;
    else pool.acctNext[prev] = next;
    if (next === NO_SLOT) this.tail[rec] = prev;
    else pool.acctPrev[next] = prev;
    pool.acctRec[slot] = NO_SLOT;
  }

  /** The account's earliest-accepted live order, or −1. */
  first(accountId: number): number {
    const rec = this.recordOf.get(accountId);
    return rec < 0 ? NO_SLOT : this.head[rec];
  }

  /** Visits each account that ever had an order, in record order, with its earliest live slot (−1 if none). */
  forEachAccount(visit: (accountId: number, firstSlot: number) => void): void {
    for (let rec = 0; rec < this.records; rec++) visit(this.accountOf[rec], this.head[rec]);
  }

  private newRecord(accountId: number): number {
    if (this.records === this.head.length) {
      const head = new Int32Array(this.records * 2);
      head.set(this.head);
      const tail = new Int32Array(this.records * 2);
      tail.set(this.tail);
      const accountOf = new Float64Array(this.records * 2);
      accountOf.set(this.accountOf);
      this.head = head;
      this.tail = tail;
      this.accountOf = accountOf;
    }
    const rec = this.records++;
    this.head[rec] = NO_SLOT;
    this.tail[rec] = NO_SLOT;
    this.accountOf[rec] = accountId;
    this.recordOf.set(accountId, rec);
    return rec;
  }
}
