/**
 * A topic's low and high watermarks per partition, read through the admin client.
 *
 * kafkajs's `admin.fetchTopicOffsets` gives up at once where it should ask again: on
 * a partition whose leader is not up yet (a topic another process has just created:
 * NOT_LEADER_OR_FOLLOWER), and, when one admin runs reads concurrently while its
 * metadata is being refreshed, with a TypeError ("Cannot destructure property
 * 'partitions' of 'high.pop(...)'", kafkajs issue #461) after listing zero partitions.
 * A cluster gateway's replay start asks for its seven event topics while the stages
 * are creating them; about one start in three the replay failed with that TypeError
 * and the gateway stayed not ready. So the reads on one admin go through a queue (one
 * at a time), and either failure is asked again, after the topic's metadata is
 * refreshed, with backoff.
 */
import type { Admin } from 'kafkajs';

export interface TopicWatermarks {
  readonly partition: number;
  readonly lowOffset: bigint;
  readonly highOffset: bigint;
}

export interface TopicOffsetsLogger {
  warn(fields: object, message: string): void;
}

type OffsetsAdmin = Pick<Admin, 'fetchTopicOffsets' | 'fetchTopicMetadata'>;

const MAX_ATTEMPTS = 8;

/** Reads topic watermarks on one admin client, one read at a time, asking again on the transient failures above. */
export class TopicOffsetsReader {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly admin: OffsetsAdmin,
    private readonly logger?: TopicOffsetsLogger,
    private readonly firstDelayMs = 100,
  ) {}

  watermarks(topic: string): Promise<readonly TopicWatermarks[]> {
    const read = this.tail.then(() => this.readWithRetry(topic));
    this.tail = read.catch(() => undefined);
    return read;
  }

  private async readWithRetry(topic: string): Promise<readonly TopicWatermarks[]> {
    for (let attempt = 1, delayMs = this.firstDelayMs; ; attempt++, delayMs = Math.min(delayMs * 2, 2_000)) {
      try {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, lowOffset: BigInt(o.low), highOffset: BigInt(o.high) }));
      } catch (error) {
        if (!isTransient(error) || attempt >= MAX_ATTEMPTS) throw error;
        this.logger?.warn({ topic, attempt, reason: (error as Error).message }, 'KafkaBus: reading the topic offsets failed; refreshing its metadata and asking again');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await this.admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      }
    }
  }
}

function isTransient(error: unknown): boolean {
  // the kafkajs race surfaces as a plain TypeError from inside fetchTopicOffsets
  return error instanceof TypeError || (error as { retriable?: boolean }).retriable === true;
}
