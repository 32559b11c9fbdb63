/**
 * The one place where a Kafka subscription's offsets live: which records are in
 * the consumer's state, and which of those the group has committed.
 *
 * - `applied(partition, offset)`: every envelope of the record at `offset` went
 *   through the handler (applied, deduplicated as a redelivery, or dead-lettered),
 *   so the partition's state includes everything before `offset + 1`. That next
 *   offset is what `includedOffsets()` reports: the "offsets included in the state"
 *   a snapshot records, and where a restart from that snapshot resumes.
 * - Commits run on a timer (`intervalMs`), one request at a time, off the handler's
 *   path: the handler never waits for a commit round trip. A crash loses at most the
 *   last interval's commits; those records are delivered again and the consumers'
 *   sequence dedup drops them (at-least-once delivery, applied once).
 * - A rebalance (`retain`) forgets partitions the member no longer owns, so it never
 *   commits for a partition another member now reads.
 * - `stop()` commits what is pending, once, after the consumer stopped fetching.
 */
import type { Logger } from '@perpcore/observability';
import type { Consumer } from 'kafkajs';

export class OffsetCommitter {
  /** partition → next offset after the last applied record (as a decimal string, kafkajs's format). */
  private readonly included = new Map<number, string>();
  /** partition → the next offset the group has committed (what `included` was at the last commit). */
  private readonly committed = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
    private readonly intervalMs: number,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.commit(), this.intervalMs);
    this.timer.unref();
  }

  applied(partition: number, offset: string): void {
    this.included.set(partition, (BigInt(offset) + 1n).toString());
  }

  /** Offsets included in the consumer's state, per partition (next offset to read). */
  includedOffsets(): ReadonlyMap<number, string> {
    return this.included;
  }

  /** After a rebalance: keep only the partitions this member still owns. */
  retain(owned: ReadonlySet<number>): void {
    for (const p of [...this.included.keys()]) {
      if (!owned.has(p)) {
        this.included.delete(p);
        this.committed.delete(p);
      }
    }
  }

  /** Commits what changed since the last commit; one request at a time. */
  commit(): Promise<void> {
    if (this.inFlight !== null) return this.inFlight;
    const partitions: { topic: string; partition: number; offset: string }[] = [];
    for (const [partition, offset] of this.included) {
      if (this.committed.get(partition) !== offset) partitions.push({ topic: this.topic, partition, offset });
    }
    if (partitions.length === 0) return Promise.resolve();
    this.inFlight = this.consumer
      .commitOffsets(partitions)
      .then(
        () => {
          for (const p of partitions) this.committed.set(p.partition, p.offset);
        },
        (error: unknown) => {
          // a rebalance or a broker restart: the next tick commits again (newer offsets by then)
          this.logger?.warn({ err: error, topic: this.topic, partitions: partitions.length }, 'KafkaBus: offset commit failed; retrying on the next tick');
        },
      )
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Stops the timer and commits what is pending (call after the consumer stopped fetching). */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.inFlight !== null) await this.inFlight;
    await this.commit();
  }
}
