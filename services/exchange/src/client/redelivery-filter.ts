/**
 * Drops what the bus delivers twice (at least once per partition: a rebalance or a
 * restart resumes at the last committed offset, or at the start of a replay). The
 * read models a client's subscribers fold are not idempotent (a second `accepted`
 * would reopen a filled order), so each envelope stream reaches them once.
 *
 * The caller names the stream: the topic and a key at least as fine as the
 * producer's own sequence scope (matching: the market; risk and the liquidation
 * engine: source, market and account; the oracle: source and symbol). Within a finer
 * key the sequences still increase, so a sequence at or below the last one passed is
 * a copy. Envelopes without a sequence (0: a refusal of an unknown market) always pass.
 */
import { SeqVerdict, SequenceDedup } from '@perpcore/bus';

export class RedeliveryFilter {
  private readonly dedup = new SequenceDedup();
  private dropped = 0;

  /** True the first time `seq` is seen on `stream`; false for a copy. */
  fresh(stream: string, seq: number): boolean {
    if (!(seq >= 1)) return true;
    if (this.dedup.check(stream, seq) !== SeqVerdict.Apply) {
      this.dropped++;
      return false;
    }
    this.dedup.markApplied(stream, seq);
    return true;
  }

  /** Copies dropped so far. */
  get droppedCount(): number {
    return this.dropped;
  }
}
