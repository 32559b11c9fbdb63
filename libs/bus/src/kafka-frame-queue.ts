/**
 * What the Kafka bus has published but not yet sent, framed: envelopes for one
 * (topic, partition) accumulate in one open frame until the send loop takes them,
 * so one send writes one Kafka record per partition it touches, whatever the number
 * of events (proto/perpcore/bus/v1/frame.proto). A frame is closed early when it
 * reaches `frameMaxBytes` (the broker's per-record limit is 1 MiB).
 *
 * Invariants
 * - Per (topic, partition), records leave in publish order: a partition's closed
 *   frames are queued in order and its open frame is always the newest; a raw record
 *   (publishRaw) first closes the partition's open frame.
 * - Frame sequences: per (topic, partition) this producer numbers its envelopes
 *   1, 2, 3, … (`firstSeq` of each frame), so a consumer can drop the already
 *   handled prefix of a redelivered frame (sequence-dedup.ts appliedPrefix).
 * - Counting: `envelopes` is what the stages published and not yet taken;
 *   `records` what the broker will see.
 */
import { encodeEnvelopeFrame } from '@perpcore/proto';

export const FRAME_HEADER = 'perpcore-frame';
export const FRAME_HEADER_V1 = 'v1';
export const FRAME_HEADERS: Readonly<Record<string, string>> = { [FRAME_HEADER]: FRAME_HEADER_V1 };

/** One Kafka record ready to send. */
export interface QueuedRecord {
  topic: string;
  partitions: number;
  partition: number;
  key: string;
  value: Buffer;
  /** Wall-clock ms when its first envelope was published (the record timestamp: per-hop latency). */
  firstQueuedAtMs: number;
  /** Envelopes inside (1 for a raw record). */
  envelopes: number;
  framed: boolean;
}

interface OpenFrame {
  topic: string;
  partitions: number;
  partition: number;
  key: string;
  firstSeq: number;
  firstQueuedAtMs: number;
  parts: Buffer[];
  bytes: number;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class FrameQueue {
  private readonly open = new Map<string, OpenFrame>();
  private closed: QueuedRecord[] = [];
  private closedHead = 0;
  /** Per `${topic}#${partition}`: the last frame sequence handed out. */
  private readonly seqByPartition = new Map<string, number>();
  private queuedEnvelopes = 0;

  constructor(
    /** Unique per bus instance and process start: the frames' `producer`. */
    readonly producer: string,
    private readonly frameMaxBytes: number,
  ) {}

  /** Envelopes published and not yet taken by the send loop. */
  get envelopes(): number {
    return this.queuedEnvelopes;
  }

  add(topic: string, partitions: number, partition: number, key: string, value: Buffer): void {
    const id = `${topic}#${partition}`;
    let frame = this.open.get(id);
    if (frame !== undefined && frame.bytes + value.length > this.frameMaxBytes) {
      this.close(id, frame);
      frame = undefined;
    }
    if (frame === undefined) {
      frame = { topic, partitions, partition, key, firstSeq: (this.seqByPartition.get(id) ?? 0) + 1, firstQueuedAtMs: Date.now(), parts: [], bytes: 0 };
      this.open.set(id, frame);
    }
    frame.parts.push(value);
    frame.bytes += value.length;
    this.seqByPartition.set(id, frame.firstSeq + frame.parts.length - 1);
    this.queuedEnvelopes++;
  }

  /** A record written as it is (no frame), after everything queued before it on its partition. */
  addRaw(topic: string, partitions: number, partition: number, key: string, value: Buffer): void {
    const id = `${topic}#${partition}`;
    const frame = this.open.get(id);
    if (frame !== undefined) this.close(id, frame);
    this.closed.push({ topic, partitions, partition, key, value, firstQueuedAtMs: Date.now(), envelopes: 1, framed: false });
    this.queuedEnvelopes++;
  }

  /**
   * Closes every open frame and takes the oldest records, at most `maxBytes` of
   * values (always at least one record), grouped by topic in order.
   */
  take(maxBytes: number): Map<string, QueuedRecord[]> {
    for (const [id, frame] of this.open) this.close(id, frame);
    const batch = new Map<string, QueuedRecord[]>();
    let bytes = 0;
    while (this.closedHead < this.closed.length) {
      const next = this.closed[this.closedHead];
      if (bytes > 0 && bytes + next.value.length > maxBytes) break;
      this.closedHead++;
      bytes += next.value.length;
      this.queuedEnvelopes -= next.envelopes;
      const forTopic = batch.get(next.topic);
      if (forTopic === undefined) batch.set(next.topic, [next]);
      else forTopic.push(next);
    }
    if (this.closedHead === this.closed.length) {
      this.closed = [];
      this.closedHead = 0;
    } else if (this.closedHead > 4_096) {
      this.closed = this.closed.slice(this.closedHead);
      this.closedHead = 0;
    }
    return batch;
  }

  private close(id: string, frame: OpenFrame): void {
    this.open.delete(id);
    const value = asBuffer(encodeEnvelopeFrame({ producer: this.producer, firstSeq: frame.firstSeq, envelopes: frame.parts }));
    this.closed.push({
      topic: frame.topic,
      partitions: frame.partitions,
      partition: frame.partition,
      key: frame.key,
      value,
      firstQueuedAtMs: frame.firstQueuedAtMs,
      envelopes: frame.parts.length,
      framed: true,
    });
  }
}
