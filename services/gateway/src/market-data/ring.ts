/**
 * A bounded FIFO of the newest `capacity` items: the market-data read model keeps
 * recent trades, aggTrades, funding history and forced orders in these, so memory
 * stays bounded however long the exchange runs. Push overwrites the oldest.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** The item the next `push` will overwrite (the oldest, when full), for reuse instead of a new allocation. */
  recyclable(): T | undefined {
    return this.count === this.capacity ? this.items[this.start] : undefined;
  }

  /** i-th oldest (0 = oldest). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(this.count - 1);
  }

  /** Items oldest first that pass `keep`, at most `limit` of the newest ones. */
  newest(limit: number, keep: (item: T) => boolean = () => true): T[] {
    const out: T[] = [];
    for (let i = this.count - 1; i >= 0 && out.length < limit; i--) {
      const item = this.at(i) as T;
      if (keep(item)) out.push(item);
    }
    return out.reverse();
  }

  /** Items oldest first that pass `keep`, at most `limit` of the oldest ones. */
  oldest(limit: number, keep: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count && out.length < limit; i++) {
      const item = this.at(i) as T;
      if (keep(item)) out.push(item);
    }
    return out;
  }
}
