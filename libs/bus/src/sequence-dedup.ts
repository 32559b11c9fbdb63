/**
 * Consumer-side exactly-once on top of at-least-once delivery.
 *
 * Every event carries its stage's sequence number per stream (e.g. `seq` per
 * (source, market) on matching events). A consumer remembers, per stream, the
 * last sequence it applied, and applies an event only if its sequence is newer:
 * a redelivery after a crash or a rebalance (anything not committed yet) is
 * dropped. The remembered positions are part of the consumer's state: snapshot
 * them with it (`snapshot()` / `SequenceDedup.restore`), so that the state and
 * the positions always describe the same prefix of every stream.
 *
 * Invariant: for each stream, the applied sequences are strictly increasing.
 * With `contiguous: true` (a consumer that sees every event of its streams) a
 * jump over a sequence is reported as a gap: events were lost upstream, and the
 * caller must stop rather than apply on a hole.
 *
 * Example: stream "BTC-USDT" applied 1..7; the broker redelivers 6, 7, 8 →
 * verdicts Duplicate, Duplicate, Apply. With contiguous, 10 after 8 → Gap.
 */
export const SeqVerdict = {
  Apply: 'apply',
  Duplicate: 'duplicate',
  Gap: 'gap',
} as const;
export type SeqVerdict = (typeof SeqVerdict)[keyof typeof SeqVerdict];

export interface SequenceDedupOptions {
  /** Every sequence of a stream reaches this consumer, so a skipped one is an error (default false). */
  contiguous?: boolean;
}

export class SequenceDedup {
  private readonly last = new Map<string, number>();
  private readonly contiguous: boolean;

  constructor(options: SequenceDedupOptions = {}) {
    this.contiguous = options.contiguous ?? false;
  }

  static restore(entries: Iterable<readonly [string, number]>, options: SequenceDedupOptions = {}): SequenceDedup {
    const dedup = new SequenceDedup(options);
    for (const [stream, seq] of entries) dedup.markApplied(stream, seq);
    return dedup;
  }

  /** What to do with `seq` on `stream`; changes nothing (call markApplied once applied). */
  check(stream: string, seq: number): SeqVerdict {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`sequence must be a positive safe integer, got ${seq} on stream ${stream}`);
    const last = this.last.get(stream) ?? 0;
    if (seq <= last) return SeqVerdict.Duplicate;
    if (this.contiguous && seq !== last + 1) return SeqVerdict.Gap;
    return SeqVerdict.Apply;
  }

  /** Records `seq` as applied; sequences never move backwards. */
  markApplied(stream: string, seq: number): void {
    const last = this.last.get(stream) ?? 0;
    if (seq <= last) throw new RangeError(`stream ${stream}: sequence ${seq} is not after the applied ${last}`);
    this.last.set(stream, seq);
  }

  /**
   * Applies `apply` once per (stream, seq): runs it and records the sequence on
   * Apply; returns the verdict. On Gap nothing runs (the caller decides).
   */
  applyOnce(stream: string, seq: number, apply: () => void): SeqVerdict {
    const verdict = this.check(stream, seq);
    if (verdict === SeqVerdict.Apply) {
      apply();
      this.last.set(stream, seq);
    }
    return verdict;
  }

  /**
   * For the range firstSeq … firstSeq + count − 1 on `stream` (a frame of
   * envelopes): how many of its leading sequences were applied already (0 … count).
   * Those are redelivered and dropped; the rest are new. A range starting after a
   * hole is not a gap here (the caller decides whether its streams are contiguous).
   */
  appliedPrefix(stream: string, firstSeq: number, count: number): number {
    if (!Number.isSafeInteger(firstSeq) || firstSeq < 1) throw new RangeError(`sequence must be a positive safe integer, got ${firstSeq} on stream ${stream}`);
    const last = this.last.get(stream) ?? 0;
    return Math.min(count, Math.max(0, last - firstSeq + 1));
  }

  lastApplied(stream: string): number {
    return this.last.get(stream) ?? 0;
  }

  /** Stream positions, sorted by stream name (deterministic snapshots). */
  snapshot(): [string, number][] {
    return [...this.last.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
