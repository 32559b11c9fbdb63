/**
 * Open-addressing hash from a positive safe integer (order id, account id, price
 * tick) to an int32 (a pool slot): typed arrays only, no allocation per operation.
 *
 * Invariants
 * - Linear probing over a power-of-two table; key 0 marks an empty cell (keys are ≥ 1).
 * - Load factor ≤ 1/2: the table doubles (one rehash, the only allocation) when it
 *   would pass it. Size it up front with `initialCapacity` to keep rehashes off the
 *   hot path.
 * - Deletion shifts later cells of the probe run back (no tombstones), so lookups
 *   stay short however many deletes happen.
 *
 * Complexity: O(1) expected per get / set / delete.
 */
const TWO_32 = 0x1_0000_0000;

export class PositiveIntHash {
  private keys: Float64Array;
  private values: Int32Array;
  /** Each occupied cell's home index (hash & mask), so deletes need not rehash the run. */
  private homes: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity);
    this.homes = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value stored for `key`, or −1. */
  get(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    // hashOf, written out: this is the hottest call of the book and too deep to be inlined reliably
    const lo = key >>> 0;
    let h = Math.imul((lo >>> 3) ^ Math.imul((key / TWO_32) >>> 0, 0x27d4eb2d), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    let i = ((h << 3) | (lo & 7)) & mask;
    for (;;) {
      const k = keys[i];
      if (k === key) return this.values[i];
      if (k === 0) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Stores `value` for `key` (inserting or overwriting). */
  set(key: number, value: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    const home = hashOf(key) & mask;
    let i = home;
    for (;;) {
      const k = keys[i];
      if (k === key) {
        this.values[i] = value;
        return;
      }
      if (k === 0) {
        keys[i] = key;
        this.values[i] = value;
        this.homes[i] = home;
        this.count++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  delete(key: number): void {
    const keys = this.keys;
    const values = this.values;
    const homes = this.homes;
    const mask = this.mask;
    let i = hashOf(key) & mask;
    for (;;) {
      const k = keys[i];
      if (k === 0) return;
      if (k === key) break;
      i = (i + 1) & mask;
    }
    this.count--;
    // backward-shift: move each later entry of the run into the hole if its home allows
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j];
      if (k === 0) break;
      const home = homes[j];
      const homeInHoleToJ = i <= j ? i < home && home <= j : i < home || home <= j;
      if (homeInHoleToJ) continue;
      keys[i] = k;
      values[i] = values[j];
      homes[i] = home;
      i = j;
    }
    keys[i] = 0;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.values = new Int32Array(oldKeys.length * 2);
    this.homes = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] !== 0) this.set(oldKeys[i], oldValues[i]);
    }
  }
}

/**
 * Keys that differ only in their low 3 bits share a block of 8 neighbouring cells
 * (one cache line of keys); the blocks themselves are scattered by a multiplicative
 * mix. Sequential ids, the common case, then touch a new cache line once per 8
 * inserts instead of every time; strided ids still spread (their probe runs fill the
 * unused neighbours of a block).
 */
function hashOf(key: number): number {
  const lo = key >>> 0; // key mod 2^32, exact for safe integers
  const hi = (key / TWO_32) >>> 0;
  let h = Math.imul((lo >>> 3) ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h << 3) | (lo & 7);
}
