/**
 * The `Bus` port: the only thing services see of the wire between stages.
 * Two adapters implement it and pass one contract suite (bus-contract.ts): the
 * in-process bus (embedded mode, the default) and the Kafka bus (cluster mode).
 *
 * Semantics both adapters guarantee
 * - Order: messages with the same key land in the same partition and are delivered
 *   in publish order. Nothing is promised across partitions.
 * - Groups: each consumer group sees every message of the topic once per partition
 *   it owns; members of one group split the partitions between them.
 * - Offsets: a group's offset for a partition advances only after the handler's
 *   promise for that message resolved (its state change is applied); the Kafka bus
 *   commits such offsets on a timer, off the handler's path. A consumer
 *   that stops or crashes resumes at the last committed offset, so delivery is
 *   at-least-once: consumers drop what they already applied (sequence-dedup.ts).
 * - Bad input: bytes that do not decode (PROTO_MALFORMED, PROTO_UNKNOWN_VERSION,
 *   PROTO_OUT_OF_RANGE), or a value the handler refuses by throwing
 *   `RejectedMessageError`, go to the topic's dead-letter topic `<topic>.dlq`
 *   with the reason, and the consumer carries on with nothing applied.
 *   Any other handler error is a bug: the offset is not committed and the message
 *   is redelivered (Kafka) / the error surfaces to the publisher (in-process).
 */
import type { DecodeResult } from '@perpcore/proto';

export interface TopicCodec<T> {
  encode(value: T): Uint8Array;
  /** Never throws: bad bytes come back as a typed error (see @perpcore/proto). */
  decode(bytes: Uint8Array): DecodeResult<T>;
}

export interface Topic<T> {
  /** `<domain>.<event>.v<major>`, e.g. `matching.events.v1`. */
  readonly name: string;
  readonly partitions: number;
  readonly codec: TopicCodec<T>;
  /** The partition key: market symbol for book events, account id where a consumer shards by account. */
  key(value: T): string;
  /** A log that is the state itself (the gateways' registry): created with time and size retention off, so nothing is ever deleted. */
  readonly keepForever?: boolean;
}

/**
 * What a handler receives. Valid during the handler call (until its promise
 * settles): the adapter may reuse the object for the next message of the same
 * subscription, so copy what you keep.
 */
export interface BusMessage<T> {
  readonly value: T;
  readonly key: string;
  readonly partition: number;
  /**
   * The position of the record that carried it. Never decreases within a partition;
   * several messages share one offset when the Kafka bus framed them into one record
   * (kafka-frame-queue.ts). A record is in a consumer's state only once its last
   * message was handled: the Kafka bus tracks that per partition
   * (kafka-offset-committer.ts, "offsets included in the state") and commits only those.
   */
  readonly offset: number;
  /**
   * Where in its record the message sits, for a framed record (0 for the first
   * envelope); with `lastInRecord` it names one message exactly and tells whether its
   * record is complete once it is handled (a stage that logs the order of its inputs,
   * or snapshots between messages, needs both). Absent in-process: one message per offset.
   */
  readonly indexInRecord?: number;
  readonly lastInRecord?: boolean;
  /**
   * Wall-clock ms at which the producing stage queued it (the Kafka record's
   * CreateTime; undefined in-process). Observability only (per-hop latency): never
   * an input to a stage's state, which takes time from the envelope's own tsNs.
   */
  readonly publishedAtMs?: number;
}

export type MessageHandler<T> = (message: BusMessage<T>) => void | Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  /** Where a group without a committed offset starts: the first message (true) or only new ones (false, the default). */
  fromBeginning?: boolean;
  /**
   * Per partition, the offset to consume from, whatever the group committed (a stage
   * restored from a snapshot replays from the offsets its state includes). Partitions
   * not listed start as they would without it.
   */
  startOffsets?: Readonly<Record<number, number>>;
}

export interface Subscription {
  /** Stops delivery to this handler. Offsets already committed stay; the group's other members take over its partitions. */
  close(): Promise<void>;
}

/** What a partition holds now: offsets `earliest` up to `end` (exclusive); equal when empty. */
export interface RetainedRange {
  readonly earliest: number;
  readonly end: number;
}

export interface Bus {
  /** Queues a message; never blocks. Throws only if the value cannot be encoded (a producer bug). */
  publish<T>(topic: Topic<T>, value: T): void;
  /** Resolves when every message published so far is durably on the bus (acknowledged by the broker / delivered in-process). */
  flush(): Promise<void>;
  /**
   * Runs `hook` synchronously before every batch leaves the process (a bus whose
   * publish queues for a later send: Kafka). A stage that must write something
   * before any of its outputs is seen (its input-order log) writes it there, once per
   * batch. Absent where a publish is delivered at once (in-process).
   */
  beforeSend?(hook: () => void): void;
  subscribe<T>(topic: Topic<T>, options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription>;
  /**
   * Per non-empty partition of the topic, the offset after its last record now (the
   * high watermark). With `includedOffsets`, a reader that must hold everything
   * published before it started (a restarted gateway's read models) knows when it
   * has. Absent in-process, where a subscriber has seen every earlier message already.
   */
  endOffsets?(topic: Topic<unknown>): Promise<ReadonlyMap<number, number>>;
  /** Per partition, the next offset after every record (group, topic) has handled completely (kafka-offset-committer.ts). */
  includedOffsets?(groupId: string, topicName: string): ReadonlyMap<number, string>;
  /**
   * Per partition of the topic (empty ones too), the first offset the bus still holds
   * (retention deletes below it) and the offset after its last record. A reader
   * restoring a fold of the topic from a snapshot checks its offsets fall in between:
   * below, records it never saw are gone; above, the snapshot is of other topics.
   */
  retainedOffsets?(topic: Topic<unknown>): Promise<ReadonlyMap<number, RetainedRange>>;
  /** Flushes, stops every subscription and releases connections. */
  close(): Promise<void>;
}

/**
 * Thrown by a handler that refuses a well-formed message as input it can never
 * apply (e.g. an unknown market): the message goes to the DLQ with `code`, and
 * the consumer moves on. A stage-prefixed code: `MATCHING_UNKNOWN_MARKET`.
 */
export class RejectedMessageError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RejectedMessageError';
    this.code = code;
  }
}

/** One message the consumer could not apply, as kept on `<topic>.dlq`. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  /** PROTO_MALFORMED, PROTO_UNKNOWN_VERSION, PROTO_OUT_OF_RANGE, or the handler's RejectedMessageError code. */
  code: string;
  reason: string;
  /** The original bytes (null when an in-process value could not be encoded). */
  bytes: Uint8Array | null;
  /** The consumer group that refused it. */
  groupId: string;
}

export const dlqTopicName = (topic: string): string => `${topic}.dlq`;
