/**
 * Order id → slot, one table per market: open addressing with linear probing over
 * typed arrays (ids are positive safe integers, slots small non-negative ints), so
 * lookups and inserts allocate nothing and stay a few probes; a Map of millions of
 * entries costs more per operation and per GC.
 *
 * Invariants: load ≤ 1/2 (the table doubles before exceeding it); deletion shifts
 * the following run back (no tombstones), so every key stays reachable from its
 * home bucket without a gap.
 */
const EMPTY = 0;

export class OrderIdIndex {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private used = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size);
    this.values = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  private home(id: number): number {
    const lo = id >>> 0;
    const hi = (id / 4_294_967_296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** Slot of `id`, or −1 (0 and other non-ids are never present: 0 marks an empty bucket). */
  get(id: number): number {
    if (!(id > 0)) return -1;
    let i = this.home(id);
    const keys = this.keys;
    for (;;) {
      const k = keys[i];
      if (k === id) return this.values[i];
      if (k === EMPTY) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** Inserts or replaces; `id` must be a positive safe integer. */
  set(id: number, slot: number): void {
    if (!(id > 0) || !Number.isSafeInteger(id)) throw new RangeError(`order id ${id} is not a positive safe integer`);
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    let i = this.home(id);
    const keys = this.keys;
    for (;;) {
      const k = keys[i];
      if (k === id) {
        this.values[i] = slot;
        return;
      }
      if (k === EMPTY) {
        keys[i] = id;
        this.values[i] = slot;
        this.used++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  delete(id: number): boolean {
    if (!(id > 0)) return false;
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(id);
    for (;;) {
      const k = keys[i];
      if (k === EMPTY) return false;
      if (k === id) break;
      i = (i + 1) & mask;
    }
    // backward-shift: move later entries of the run into the hole when their home allows it
    let hole = i;
    let j = (i + 1) & mask;
    for (;;) {
      const k = keys[j];
      if (k === EMPTY) break;
      const h = this.home(k);
      // k may move to `hole` unless its home lies cyclically in (hole, j]
      const inRange = hole <= j ? h > hole && h <= j : h > hole || h <= j;
      if (!inRange) {
        keys[hole] = k;
        this.values[hole] = this.values[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    keys[hole] = EMPTY;
    this.used--;
    return true;
  }

  /** Every id (unordered). */
  forEachId(visit: (id: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY) visit(this.keys[i]);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.values = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.used = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== EMPTY) this.set(oldKeys[i], oldValues[i]);
  }
}
