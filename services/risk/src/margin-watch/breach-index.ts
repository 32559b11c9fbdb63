/**
 * Breach index: find the scopes a price move pushed across a line without scanning
 * every account (float screens, exact decides).
 *
 * Per price dimension (one per market mark, one per collateral asset index) two
 * binary heaps of trigger prices:
 * - DOWN: fires when the price falls to or below the trigger (a long's adverse move,
 *   a short's favourable one); a max-heap, so the highest trigger is on top.
 * - UP: fires when the price rises to or above the trigger; a min-heap.
 * A price update pops only the entries it crossed: O(k log n) for k fired entries.
 *
 * Entries are (trigger, ref, version). A ref names what the entry belongs to (a
 * position row, or an account's collateral asset); the owner bumps the ref's
 * version when it replaces the entries, so old ones become stale and are dropped
 * when they surface (lazy deletion). `isLive(dim, ref, version)` is the owner's
 * answer. A heap is compacted (stale entries filtered out, heap rebuilt in O(n))
 * when its stale entries outnumber the live ones.
 *
 * Storage: typed arrays doubled on demand; nothing is allocated per push or pop.
 * Triggers are float64 subticks: the owner computes them so that float error can
 * only make an entry fire early (breach-triggers.ts).
 */
export const TriggerDirection = { Down: 0, Up: 1 } as const;
export type TriggerDirection = (typeof TriggerDirection)[keyof typeof TriggerDirection];

export type LivenessCheck = (dim: number, ref: number, version: number) => boolean;

/** A min-heap on `key`; the DOWN heap stores −trigger. */
class TriggerHeap {
  keys = new Float64Array(16);
  refs = new Float64Array(16);
  versions = new Float64Array(16);
  size = 0;
  stale = 0;

  push(key: number, ref: number, version: number): void {
    if (this.size === this.keys.length) this.grow();
    let i = this.size++;
    const keys = this.keys;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      this.move(parent, i);
      i = parent;
    }
    keys[i] = key;
    this.refs[i] = ref;
    this.versions[i] = version;
  }

  /** Removes the top (the caller read it first). */
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const key = this.keys[last];
    const ref = this.refs[last];
    const version = this.versions[last];
    let i = 0;
    const keys = this.keys;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && keys[child + 1] < keys[child]) child++;
      if (keys[child] >= key) break;
      this.move(child, i);
      i = child;
    }
    keys[i] = key;
    this.refs[i] = ref;
    this.versions[i] = version;
  }

  /** Keeps the entries `keep` accepts and restores the heap order (Floyd, O(n)). */
  filter(keep: (ref: number, version: number) => boolean): void {
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      if (!keep(this.refs[i], this.versions[i])) continue;
      this.keys[n] = this.keys[i];
      this.refs[n] = this.refs[i];
      this.versions[n] = this.versions[i];
      n++;
    }
    this.size = n;
    this.stale = 0;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftDown(start: number): void {
    const keys = this.keys;
    const key = keys[start];
    const ref = this.refs[start];
    const version = this.versions[start];
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && keys[child + 1] < keys[child]) child++;
      if (keys[child] >= key) break;
      this.move(child, i);
      i = child;
    }
    keys[i] = key;
    this.refs[i] = ref;
    this.versions[i] = version;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from];
    this.refs[to] = this.refs[from];
    this.versions[to] = this.versions[from];
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    const k = new Float64Array(cap);
    const r = new Float64Array(cap);
    const v = new Float64Array(cap);
    k.set(this.keys);
    r.set(this.refs);
    v.set(this.versions);
    this.keys = k;
    this.refs = r;
    this.versions = v;
  }
}

export class BreachIndex {
  private readonly heaps: TriggerHeap[] = [];

  constructor(
    readonly dimensions: number,
    private readonly isLive: LivenessCheck,
  ) {
    for (let i = 0; i < dimensions * 2; i++) this.heaps.push(new TriggerHeap());
  }

  push(dim: number, direction: TriggerDirection, triggerSubticks: number, ref: number, version: number): void {
    this.heaps[dim * 2 + direction].push(direction === TriggerDirection.Down ? -triggerSubticks : triggerSubticks, ref, version);
  }

  /** The owner replaced an entry of this heap (bumped its ref's version). */
  markStale(dim: number, direction: TriggerDirection): void {
    const heap = this.heaps[dim * 2 + direction];
    heap.stale++;
    if (heap.stale > 64 && heap.stale * 2 > heap.size) heap.filter((ref, version) => this.isLive(dim, ref, version));
  }

  /**
   * Pops every entry of `dim` the price crossed (DOWN: trigger ≥ price; UP:
   * trigger ≤ price) and hands the live ones to `visit`. Returns the number popped.
   */
  popCrossed(dim: number, priceSubticks: number, visit: (ref: number, direction: TriggerDirection) => void): number {
    let popped = 0;
    for (let direction = 0; direction < 2; direction++) {
      const heap = this.heaps[dim * 2 + direction];
      const limit = direction === TriggerDirection.Down ? -priceSubticks : priceSubticks;
      while (heap.size > 0 && heap.keys[0] <= limit) {
        const ref = heap.refs[0];
        const version = heap.versions[0];
        heap.pop();
        popped++;
        if (this.isLive(dim, ref, version)) visit(ref, direction as TriggerDirection);
        else if (heap.stale > 0) heap.stale--;
      }
    }
    return popped;
  }

  /**
   * Visits, without popping anything, every live entry of `dim` that a move to
   * `priceSubticks` would pop (`popCrossed`'s set), with its trigger. Read-only: the
   * stress query's screen (services/risk/src/stress). A heap's crossed entries form a
   * subtree at its root (a parent's key is ≤ its children's), so the walk is O(k)
   * for k crossed entries. Returns the number of entries visited, stale ones included.
   */
  forEachCrossed(dim: number, priceSubticks: number, visit: (ref: number, direction: TriggerDirection, triggerSubticks: number) => void): number {
    let seen = 0;
    const stack: number[] = [];
    for (let direction = 0; direction < 2; direction++) {
      const heap = this.heaps[dim * 2 + direction];
      const limit = direction === TriggerDirection.Down ? -priceSubticks : priceSubticks;
      if (heap.size > 0) stack.push(0);
      while (stack.length > 0) {
        const i = stack.pop() as number;
        const key = heap.keys[i];
        if (key > limit) continue;
        seen++;
        if (this.isLive(dim, heap.refs[i], heap.versions[i])) visit(heap.refs[i], direction as TriggerDirection, direction === TriggerDirection.Down ? -key : key);
        const child = 2 * i + 1;
        if (child < heap.size) stack.push(child);
        if (child + 1 < heap.size) stack.push(child + 1);
      }
    }
    return seen;
  }

  /** Entries held (live and stale) per heap, for tests and the benchmark report. */
  size(dim: number, direction: TriggerDirection): number {
    return this.heaps[dim * 2 + direction].size;
  }

  staleCount(dim: number, direction: TriggerDirection): number {
    return this.heaps[dim * 2 + direction].stale;
  }
}
