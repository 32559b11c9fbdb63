/**
 * One side of one market's ADL queue, kept ranked between ADL runs (adl-rankings.ts
 * decides when an entry is (re)scored; this module only orders them).
 *
 * Layout: a binary max-heap in parallel columns (ledger row, account id, the exact
 * score `num/den` as bigints, its float64 image, the row's version when scored).
 * Lazy deletion: a scope that changed gets its row's version bumped, which makes its
 * old entry stale wherever it sits; the fresh score is pushed as a new entry. Stale
 * entries are dropped when they reach the root, and the heap is compacted (live
 * entries re-heapified, nothing rescored) once stale ones outnumber live ones.
 *
 * Ordering invariant: parent ranks ahead of child by RISK-SPEC §8.8's order (score
 * descending, ties by account id ascending), decided exactly: the float images only
 * screen (they are within 2 ulps of the rationals, so a relative gap above 1e-12
 * cannot be a rounding artefact); closer pairs, infinities, zeros and anything near
 * the float range limits compare the bigints by cross-multiplication.
 *
 * The walk (`beginWalk` / `nextRow`) reads the live entries best first without
 * touching the heap: a second, index heap holds the frontier (children of what has
 * been read), so reading the first k costs O(k log k) whatever the side's size.
 *
 * Complexity: push O(log n); bulk build (append ×n, heapify) O(n); walk O(k log k).
 * Nothing is allocated per entry except the score's bigints and the columns' rare
 * doubling.
 */
import type { AdlScore } from '@perpcore/margin';

/** Relative gap above which two float images order like their exact rationals. */
const SCREEN_GAP = 1e-12;
/** Below this magnitude a float image may be subnormal (imprecise): compare exactly. */
const SCREEN_FLOOR = 1e-280;

export class AdlRankedSide {
  size = 0;
  /** Rows whose current-version entry is in the heap. */
  liveCount = 0;
  private rows = new Int32Array(64);
  private versions = new Int32Array(64);
  private approx = new Float64Array(64);
  private ids = new Float64Array(64);
  private readonly nums: bigint[] = [];
  private readonly dens: bigint[] = [];
  /** Per ledger row: the current version, and whether an entry of that version is in the heap. */
  private rowVersion = new Int32Array(64);
  private rowLive = new Uint8Array(64);
  private frontier = new Int32Array(64);
  private frontierSize = 0;
  /** Heap index of the entry `nextRow` returned last. */
  private walked = 0;

  /** Empties the side (a rebuild follows); row versions move on so no old entry can come back. */
  clear(): void {
    for (let i = 0; i < this.size; i++) this.invalidate(this.rows[i]);
    this.size = 0;
    this.liveCount = 0;
    this.nums.length = 0;
    this.dens.length = 0;
  }

  /** Row r's scope changed: its entry, if any, is stale from now on. */
  invalidate(r: number): void {
    this.reserveRow(r);
    this.rowVersion[r]++;
    if (this.rowLive[r] === 1) {
      this.rowLive[r] = 0;
      this.liveCount--;
    }
  }

  /** Room for ledger rows below `rows` (a rebuild sizes the per-row columns once instead of doubling them). */
  reserveRows(rows: number): void {
    if (rows > this.rowVersion.length) this.reserveRow(rows - 1);
  }

  /** Adds row r's entry without restoring the heap order (bulk build: `heapify` after the last). */
  append(r: number, accountId: number, score: AdlScore): void {
    this.reserveRow(r);
    if (this.rowLive[r] === 1) this.invalidate(r);
    if (this.size === this.rows.length) this.grow();
    const i = this.size++;
    this.rows[i] = r;
    this.versions[i] = this.rowVersion[r];
    this.ids[i] = accountId;
    this.nums[i] = score.num;
    this.dens[i] = score.den;
    this.approx[i] = score.den === 0n ? Infinity : Number(score.num) / Number(score.den);
    this.rowLive[r] = 1;
    this.liveCount++;
  }

  push(r: number, accountId: number, score: AdlScore): void {
    this.append(r, accountId, score);
    this.siftUp(this.size - 1);
  }

  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Drops stale roots; compacts when stale entries outnumber live ones. */
  tidy(): void {
    while (this.size > 0 && !this.isLive(0)) this.removeRoot();
    if (this.size > 64 && this.size > 2 * this.liveCount) {
      let kept = 0;
      for (let i = 0; i < this.size; i++) if (this.isLive(i)) this.move(i, kept++);
      for (let i = kept; i < this.size; i++) {
        this.nums[i] = 0n;
        this.dens[i] = 0n;
      }
      this.size = kept;
      this.heapify();
    }
  }

  /** Starts a best-first read of the live entries (the heap is not changed by reading). */
  beginWalk(): void {
    this.frontierSize = 0;
    if (this.size > 0) this.frontier[this.frontierSize++] = 0;
  }

  /** The next live entry's ledger row, best first; −1 when none is left. */
  nextRow(): number {
    while (this.frontierSize > 0) {
      const i = this.popFrontier();
      const left = 2 * i + 1;
      if (left < this.size) this.pushFrontier(left);
      if (left + 1 < this.size) this.pushFrontier(left + 1);
      if (this.isLive(i)) {
        this.walked = i;
        return this.rows[i];
      }
    }
    return -1;
  }

  /** The exact score of the entry `nextRow` returned last. */
  walkedScore(): AdlScore {
    return { num: this.nums[this.walked], den: this.dens[this.walked] };
  }

  private isLive(i: number): boolean {
    return this.versions[i] === this.rowVersion[this.rows[i]];
  }

  /** Whether entry i ranks ahead of entry j. */
  private ahead(i: number, j: number): boolean {
    const x = this.approx[i];
    const y = this.approx[j];
    const scale = Math.max(Math.abs(x), Math.abs(y));
    // NaN and ±Infinity fail these tests and fall through to the exact comparison
    if (scale > SCREEN_FLOOR && scale < Infinity && Math.abs(x - y) > SCREEN_GAP * scale) return x > y;
    const c = this.compareExact(i, j);
    return c !== 0 ? c > 0 : this.ids[i] < this.ids[j];
  }

  /** Sign of score(i) − score(j), exactly (den 0 is +∞). */
  private compareExact(i: number, j: number): number {
    const di = this.dens[i];
    const dj = this.dens[j];
    if (di === 0n || dj === 0n) return di === dj ? 0 : di === 0n ? 1 : -1;
    const l = this.nums[i] * dj;
    const r = this.nums[j] * di;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  private removeRoot(): void {
    const last = --this.size;
    if (last > 0) this.move(last, 0);
    // the columns keep their length (no reallocation per removal); the freed slot lets go of its bigints
    this.nums[last] = 0n;
    this.dens[last] = 0n;
    if (last > 1) this.siftDown(0);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.ahead(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const best = right < this.size && this.ahead(right, left) ? right : left;
      if (!this.ahead(best, i)) return;
      this.swap(i, best);
      i = best;
    }
  }

  private swap(a: number, b: number): void {
    swapIn(this.rows, a, b);
    swapIn(this.versions, a, b);
    swapIn(this.approx, a, b);
    swapIn(this.ids, a, b);
    swapIn(this.nums, a, b);
    swapIn(this.dens, a, b);
  }

  private move(from: number, to: number): void {
    this.rows[to] = this.rows[from];
    this.versions[to] = this.versions[from];
    this.approx[to] = this.approx[from];
    this.ids[to] = this.ids[from];
    this.nums[to] = this.nums[from];
    this.dens[to] = this.dens[from];
  }

  private pushFrontier(i: number): void {
    if (this.frontierSize === this.frontier.length) this.frontier = grown(this.frontier, this.frontier.length * 2);
    let k = this.frontierSize++;
    const f = this.frontier;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.ahead(i, f[parent])) break;
      f[k] = f[parent];
      k = parent;
    }
    f[k] = i;
  }

  private popFrontier(): number {
    const f = this.frontier;
    const top = f[0];
    const last = f[--this.frontierSize];
    let k = 0;
    for (;;) {
      const left = 2 * k + 1;
      if (left >= this.frontierSize) break;
      const right = left + 1;
      const best = right < this.frontierSize && this.ahead(f[right], f[left]) ? right : left;
      if (!this.ahead(f[best], last)) break;
      f[k] = f[best];
      k = best;
    }
    if (this.frontierSize > 0) f[k] = last;
    return top;
  }

  private grow(): void {
    const n = this.rows.length * 2;
    this.rows = grown(this.rows, n);
    this.versions = grown(this.versions, n);
    this.approx = grown(this.approx, n);
    this.ids = grown(this.ids, n);
  }

  private reserveRow(r: number): void {
    if (r < this.rowVersion.length) return;
    const n = Math.max(r + 1, this.rowVersion.length * 2);
    this.rowVersion = grown(this.rowVersion, n);
    this.rowLive = grown(this.rowLive, n);
  }
}

function swapIn<T>(a: { [i: number]: T }, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
