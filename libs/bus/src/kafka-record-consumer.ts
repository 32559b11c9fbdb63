/**
 * One Kafka subscription's read side (kafka-bus.ts owns the consumer's life):
 * records of one partition, one after another, each unframed into the envelopes it
 * carries, each envelope decoded and handed to the handler as its own message.
 *
 * Invariants
 * - A record's offset is reported to the committer only after all its envelopes
 *   went through the handler (applied, dropped as a redelivered frame prefix, or
 *   dead-lettered): the committed offsets never run ahead of the state.
 * - A frame redelivered after some of its envelopes were handled (a handler error
 *   retried by kafkajs from the frame's record, a re-sent half batch) skips that
 *   prefix by the frame's producer sequence (SequenceDedup.appliedPrefix).
 * - Bad bytes never stop the consumer: a frame that does not decode goes to the
 *   dead-letter topic whole, a bad envelope inside a good frame alone (its own
 *   bytes, the frame record's offset). Any other handler error propagates, so
 *   kafkajs redelivers from that record and nothing after it is committed.
 * - `closing` stops a batch at its next record; `idle()` resolves when no batch of
 *   this subscription is in hand, so the last commit covers everything handled.
 */
import type { Logger } from '@perpcore/observability';
import { decodeEnvelopeFrame } from '@perpcore/proto';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { type BusMessage, type DeadLetter, type MessageHandler, RejectedMessageError, type Topic } from './bus.js';
import { FRAME_HEADER, FRAME_HEADER_V1 } from './kafka-frame-queue.js';
import type { OffsetCommitter } from './kafka-offset-committer.js';
import { SequenceDedup } from './sequence-dedup.js';

interface MutableMessage {
  value: unknown;
  key: string;
  partition: number;
  offset: number;
  indexInRecord: number;
  lastInRecord: boolean;
  publishedAtMs: number | undefined;
}

export interface RecordConsumerDeps {
  topic: Topic<unknown>;
  groupId: string;
  handler: MessageHandler<unknown>;
  committer: OffsetCommitter;
  sendDeadLetter(letter: DeadLetter): Promise<void>;
  logger?: Logger;
}

export class RecordConsumer {
  closing = false;
  private active = 0;
  private onIdle: (() => void) | null = null;
  private readonly frameDedup = new SequenceDedup();
  /** One reusable message per partition (partitions are handled concurrently; handlers copy what they keep). */
  private readonly messages: MutableMessage[];

  constructor(private readonly deps: RecordConsumerDeps) {
    this.messages = Array.from({ length: deps.topic.partitions }, () => ({ value: undefined, key: '', partition: 0, offset: 0, indexInRecord: 0, lastInRecord: true, publishedAtMs: undefined }));
  }

  /** Resolves when no batch is in hand (call after setting `closing`). */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => (this.onIdle = resolve));
  }

  async consumeBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.closing) return;
    this.active++;
    try {
      const message = this.messages[batch.partition] ?? this.messages[0];
      for (const raw of batch.messages) {
        if (this.closing || !isRunning() || isStale()) break;
        if (raw.headers?.[FRAME_HEADER]?.toString() === FRAME_HEADER_V1) await this.consumeFrame(message, batch.partition, raw);
        else await this.consumeEnvelope(message, batch.partition, raw, raw.key === null ? '' : raw.key.toString(), raw.value ?? Buffer.alloc(0), 0, true);
        resolveOffset(raw.offset);
        this.deps.committer.applied(batch.partition, raw.offset);
        await heartbeat();
      }
    } finally {
      this.active--;
      if (this.active === 0 && this.onIdle !== null) {
        this.onIdle();
        this.onIdle = null;
      }
    }
  }

  private async consumeFrame(message: MutableMessage, partition: number, raw: KafkaMessage): Promise<void> {
    const bytes = raw.value ?? Buffer.alloc(0);
    const decoded = decodeEnvelopeFrame(bytes);
    if (!decoded.ok) {
      await this.deadLetter(partition, raw, raw.key === null ? '' : raw.key.toString(), decoded.error.code, decoded.error.message, bytes);
      return;
    }
    const { producer, firstSeq, envelopes } = decoded.value;
    const stream = `${producer}|${partition}`;
    for (let i = this.frameDedup.appliedPrefix(stream, firstSeq, envelopes.length); i < envelopes.length; i++) {
      await this.consumeEnvelope(message, partition, raw, null, envelopes[i], i, i === envelopes.length - 1);
      this.frameDedup.markApplied(stream, firstSeq + i);
    }
  }

  /** `key` null: a framed envelope, whose key is derived from its value (Topic.key is a function of the value). */
  private async consumeEnvelope(message: MutableMessage, partition: number, raw: KafkaMessage, key: string | null, bytes: Uint8Array, indexInRecord: number, lastInRecord: boolean): Promise<void> {
    const { topic, handler } = this.deps;
    const decoded = topic.codec.decode(bytes);
    if (!decoded.ok) {
      await this.deadLetter(partition, raw, key ?? '', decoded.error.code, decoded.error.message, bytes);
      return;
    }
    message.value = decoded.value;
    message.key = key ?? topic.key(decoded.value);
    message.partition = partition;
    message.offset = Number(raw.offset);
    message.indexInRecord = indexInRecord;
    message.lastInRecord = lastInRecord;
    message.publishedAtMs = Number(raw.timestamp);
    try {
      await handler(message as BusMessage<unknown>);
    } catch (error) {
      if (error instanceof RejectedMessageError) {
        await this.deadLetter(partition, raw, message.key, error.code, error.message, bytes);
        return;
      }
      this.deps.logger?.error({ err: error, topic: topic.name, partition, offset: message.offset, groupId: this.deps.groupId }, 'KafkaBus: handler failed; the message will be delivered again');
      throw error;
    }
  }

  private deadLetter(partition: number, raw: KafkaMessage, key: string, code: string, reason: string, bytes: Uint8Array): Promise<void> {
    return this.deps.sendDeadLetter({ topic: this.deps.topic.name, partition, offset: Number(raw.offset), key, code, reason, bytes, groupId: this.deps.groupId });
  }
}
