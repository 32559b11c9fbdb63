/**
 * A sliding-window counter in fixed memory: the window is `bucketCount` buckets
 * of `bucketMs`, kept in a ring. `add` and `total` advance the ring to `nowMs`,
 * clearing the buckets that left the window (at most `bucketCount` steps, so O(1)
 * per call, however long the key was idle), then read the sum.
 *
 * The window is approximate at the edge by at most one bucket (a 1-minute window
 * of 6 × 10 s buckets counts between 50 and 60 s back): the limit is never
 * applied over less than (bucketCount − 1) × bucketMs, which is in the client's
 * favour by at most one bucket, never against it.
 */
export class RingWindow {
  private readonly counts: Float64Array;
  private head = 0;
  /** Start time of the head bucket, ms. */
  private headStartMs = 0;
  private sum = 0;
  lastUsedMs = 0;

  constructor(
    readonly bucketMs: number,
    readonly bucketCount: number,
  ) {
    this.counts = new Float64Array(bucketCount);
  }

  add(nowMs: number, amount: number): number {
    this.advance(nowMs);
    this.counts[this.head] += amount;
    this.sum += amount;
    return this.sum;
  }

  total(nowMs: number): number {
    this.advance(nowMs);
    return this.sum;
  }

  /** Ms until the oldest bucket leaves the window (when some of the count frees up). */
  msUntilRelief(nowMs: number): number {
    this.advance(nowMs);
    return Math.max(1, this.headStartMs + this.bucketMs - nowMs);
  }

  private advance(nowMs: number): void {
    this.lastUsedMs = nowMs;
    const start = nowMs - (nowMs % this.bucketMs);
    if (start <= this.headStartMs) return;
    const steps = Math.min(this.bucketCount, Math.floor((start - this.headStartMs) / this.bucketMs));
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.bucketCount;
      this.sum -= this.counts[this.head];
      this.counts[this.head] = 0;
    }
    this.headStartMs = start;
  }
}
