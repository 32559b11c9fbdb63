/**
 * Book deltas for market data, conflated: within one window, only the last size of
 * each (market, side, price level) goes out. Market data is for display (the
 * gateway's depth streams); no stage's state is built from it, so a window set by
 * the clock does not touch determinism, and the events risk reads
 * (matching.events.v1: fills and order state) no longer carry one delta per level
 * change.
 *
 * Invariants
 * - A level's last size in a window is published; the sizes before it are not.
 * - Published deltas keep their own envelope (market, seq, tsNs, input), in the
 *   order of their last change, so each market's seqs still increase: a consumer
 *   deduplicating by seq never drops a newer one. The seqs have gaps (the deltas
 *   conflated away and the events that went to matching.events.v1).
 * - `flush()` publishes everything pending; the service calls it every window and
 *   when it closes, so nothing is held back for long or lost at a clean stop.
 */
import type { MatchingEventV1 } from '@perpcore/proto';

export class BookDeltaConflator {
  private readonly pending = new Map<string, MatchingEventV1>();

  constructor(
    private readonly out: (event: MatchingEventV1) => void,
    /** Publish early once this many levels are pending (bounds memory and delay under a burst). */
    private readonly maxPendingLevels = 4_096,
  ) {}

  get pendingLevels(): number {
    return this.pending.size;
  }

  add(event: MatchingEventV1): void {
    const d = event.bookDelta;
    if (d == null) return;
    const key = `${event.market}|${d.side}|${d.priceTicks}`;
    // delete first: the Map's order is then the order of each level's last change (seqs increase)
    this.pending.delete(key);
    this.pending.set(key, event);
    if (this.pending.size >= this.maxPendingLevels) this.flush();
  }

  flush(): void {
    if (this.pending.size === 0) return;
    for (const event of this.pending.values()) this.out(event);
    this.pending.clear();
  }
}
