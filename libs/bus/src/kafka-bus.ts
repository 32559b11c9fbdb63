/**
 * The cluster bus: kafkajs 2.2.4 against Apache Kafka (verified against 4.1.2).
 *
 * Delivery guarantee (what the stages can rely on; docs/adr/0004-kafka-framing-and-delivery.md)
 * - Per partition, envelopes reach a subscriber in publish order, each at least
 *   once; a stage that deduplicates by its inputs' sequence numbers applies each
 *   exactly once. Nothing is lost while the producer's send retries last
 *   (`sendRetryTimeoutMs`); past that the bus stops loudly (see below).
 *
 * Producer
 * - Idempotent (`idempotent: true`, acks = all, unlimited retries). kafkajs 2.2.4
 *   serializes idempotent produce requests per broker (its EOS manager holds a lock
 *   per broker from sequence assignment to response, and rolls sequences back on a
 *   failure), so more than one request in flight is not possible with idempotence;
 *   the bus keeps one `sendBatch` in flight and makes each request carry more.
 * - Framing (kafka-frame-queue.ts): `publish` encodes synchronously (a value that
 *   cannot be encoded throws at the call site), picks the partition itself with
 *   Kafka's murmur2 (partition-for-key.ts, the same as the in-process bus), and adds
 *   the envelope to the open frame of its (topic, partition). The send loop takes
 *   every open frame as one record (`EnvelopeFrameV1`, header `perpcore-frame: v1`)
 *   when `batchMaxMessages` envelopes are queued or `lingerMs` after the first; while
 *   a request is in flight, what is published meanwhile frames into the next one.
 *   Records per event fall with load: one per partition per send.
 * - A batch whose send fails on a transient error (broker down or restarting,
 *   connection closed, kafkajs's own retries exhausted) is sent again with backoff
 *   (100 ms doubling to 5 s) before anything queued after it, for up to
 *   `sendRetryTimeoutMs`. kafkajs rolls its idempotence sequence numbers back on a
 *   failed produce, so the re-send carries the same sequences and the broker drops
 *   what it had already written: no duplicate, no reordering. (With several brokers
 *   a batch can half-succeed; the re-send of the succeeded half would then be a
 *   duplicate, which the frame dedup and the stages' sequence dedup drop.)
 * - A send that fails for good (not transient, or past the timeout) poisons the
 *   bus: `flush()` and the next `publish` throw it. Nothing is silently dropped.
 *
 * Consumer (one kafkajs consumer per `subscribe`)
 * - Partitions are consumed concurrently (kafkajs `partitionsConsumedConcurrently`
 *   = the topic's partitions); within a partition one record after another, and a
 *   frame's envelopes one after another, each handed to the handler as its own
 *   message. Order holds per partition only, as the Bus port promises.
 * - A frame redelivered after its first envelopes were handled (a handler failure
 *   retried from its record, a rebalance) skips those (SequenceDedup.appliedPrefix
 *   on the frame's producer sequence) without decoding them.
 * - Offsets (kafka-offset-committer.ts): a record's offset is "included" once all
 *   its envelopes went through the handler; included offsets are committed on a
 *   timer (`consumer.commitIntervalMs`, default 100 ms), never on the handler's path.
 * - Decode failures and `RejectedMessageError`s: logged with topic/partition/offset,
 *   written to `<topic>.dlq` (awaited, acks = all), then the consumer moves on. A
 *   frame that does not decode goes to the DLQ whole; a bad envelope in a good frame
 *   goes alone (its own bytes, the frame record's offset).
 * - Any other handler error: logged, the offset stays, and kafkajs retries the batch
 *   from that record with backoff (restarting the consumer if retries run out).
 * - `subscribe` resolves once the consumer has joined its group. The Kafka group id
 *   is `<groupId>.<topic>` (kafkaGroupId): groups are per topic, as on the in-process bus.
 *
 * Topics are created through the admin client with the topic's partition count
 * (and `<topic>.dlq` with one); an existing topic with another partition count is
 * an error, because keys would land on other partitions than the code expects.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@perpcore/observability';
import { type Admin, type Consumer, Kafka, Partitioners, type Producer, logLevel } from 'kafkajs';
import {
  type Bus,
  type BusMessage,
  type DeadLetter,
  type MessageHandler,
  RejectedMessageError,
  type RetainedRange,
  type SubscribeOptions,
  type Subscription,
  type Topic,
  dlqTopicName,
} from './bus.js';
import { type ConnectRetryOptions, connectWithRetry, kafkajsLogCreator } from './kafka-connect.js';
import { DLQ_PARTITIONS, deadLetterFromMessage, deadLetterHeaders } from './kafka-dead-letters.js';
import { FRAME_HEADERS, FrameQueue, type QueuedRecord } from './kafka-frame-queue.js';
import { OffsetCommitter } from './kafka-offset-committer.js';
import { RecordConsumer } from './kafka-record-consumer.js';
import { partitionForKey } from './partition-for-key.js';
import { fetchCommittedOffsets, seekToStartOffsets } from './kafka-offsets.js';
import { TopicOffsetsReader } from './kafka-topic-offsets.js';

export interface KafkaBusOptions {
  brokers: readonly string[];
  clientId: string;
  logger?: Logger;
  /** Ship the queue when it holds this many envelopes (default 2,000). */
  batchMaxMessages?: number;
  /** The most value bytes one send carries (default 512 KiB, under the broker's 1 MiB message.max.bytes per partition batch). */
  batchMaxBytes?: number;
  /** The most envelope bytes one frame (one Kafka record) carries (default 256 KiB). */
  frameMaxBytes?: number;
  /** …or this long after the first message was queued (default 2 ms). */
  lingerMs?: number;
  /** How long start-up keeps retrying an unreachable broker (default 60,000 ms). */
  connectTimeoutMs?: number;
  /** How long one batch keeps being re-sent on transient errors before the bus gives up (default 120,000 ms). */
  sendRetryTimeoutMs?: number;
  /** Replication factor for topics this bus creates (default: the broker's `default.replication.factor`). */
  replicationFactor?: number;
  consumer?: {
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    /** Longest a fetch waits for data when the partition is idle (default 100 ms). */
    maxWaitTimeMs?: number;
    /** How often included offsets are committed (default 100 ms; a crash redelivers at most about this much). */
    commitIntervalMs?: number;
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Broker down, connection lost, or kafkajs's own retries exhausted on such an error: worth sending again. */
function isTransientSendError(error: unknown): boolean {
  for (let e = error as { name?: string; retriable?: boolean; cause?: unknown } | undefined, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const name = e.name ?? '';
    if (name.startsWith('KafkaJSConnection') || name === 'KafkaJSRequestTimeoutError' || name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSBrokerNotFound') return true;
    if (e.retriable === true) return true;
    e = e.cause as typeof e;
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A topic that is the state itself: neither age nor size ever deletes a record (and compaction is off: records are commands, not keyed values). */
const KEEP_FOREVER_CONFIG = [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
  { name: 'cleanup.policy', value: 'delete' },
];

/**
 * The Kafka consumer group behind a bus group on one topic. Bus groups are per topic
 * (a service reads each input topic under its one group id), but kafkajs consumers
 * that share a Kafka group id across different topics break: the group leader
 * assigns only its own topics' partitions, round-robin over every member, and the
 * members drop what they did not subscribe to, so a topic is read partly or not at
 * all. One Kafka group per (group, topic) keeps each topic's assignment to the
 * consumers that read it.
 */
export function kafkaGroupId(groupId: string, topicName: string): string {
  return `${groupId}.${topicName}`;
}

const SEND_SAMPLES = 4_096;
let busInstances = 0;

/** One `subscribe`: its kafkajs consumer, its offsets, its read side. */
interface SubscriptionState {
  groupId: string;
  topic: string;
  consumer: Consumer;
  committer: OffsetCommitter;
  reader: RecordConsumer;
}

/** Per-topic traffic this bus has sent (acknowledged by the broker). */
export interface TopicTraffic {
  records: number;
  envelopes: number;
  bytes: number;
}


export class KafkaBus implements Bus {
  private readonly queue: FrameQueue;
  private sending: Promise<void> | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private failure: unknown = null;
  private readonly topicsReady = new Map<string, Promise<void>>();
  /** Topics seen with `keepForever`: created without retention. */
  private readonly keptForever = new Set<string>();
  private readonly consumers = new Set<SubscriptionState>();
  private readonly sentByTopic = new Map<string, TopicTraffic>();
  /** The last SEND_SAMPLES produce round trips (ms, sendBatch call → acknowledged), a ring. */
  private readonly sendMs = new Float64Array(SEND_SAMPLES);
  private sends = 0;
  private readonly batchMax: number;
  private readonly batchMaxBytes: number;
  private readonly lingerMs: number;
  private closed = false;
  private readonly beforeSendHooks: (() => void)[] = [];
  private readonly topicOffsets: TopicOffsetsReader;

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly options: KafkaBusOptions,
    private readonly retry: ConnectRetryOptions,
  ) {
    this.batchMax = options.batchMaxMessages ?? 2_000;
    this.batchMaxBytes = options.batchMaxBytes ?? 512 * 1024;
    this.lingerMs = options.lingerMs ?? 2;
    this.topicOffsets = new TopicOffsetsReader(admin, options.logger);
    // unique per bus instance: two producers sharing a name on one partition would have
    // their frame sequences confused by the consumers' range dedup (a newer frame dropped)
    this.queue = new FrameQueue(`${options.clientId}-${process.pid}-${Date.now().toString(36)}-${++busInstances}-${randomBytes(4).toString('hex')}`, options.frameMaxBytes ?? 256 * 1024);
  }

  /** Connects admin and producer, retrying an unreachable broker with backoff (BusConnectError after connectTimeoutMs). */
  static async connect(options: KafkaBusOptions): Promise<KafkaBus> {
    if (options.brokers.length === 0) throw new Error('KafkaBus: brokers must list at least one host:port');
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.INFO,
      logCreator: kafkajsLogCreator(options.logger),
      connectionTimeout: 3_000,
      // Each connect attempt fails fast; connectWithRetry owns the longer backoff.
      retry: { initialRetryTime: 100, retries: 2 },
    });
    const admin = kafka.admin();
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: Number.MAX_SAFE_INTEGER },
    });
    const retry = { brokers: options.brokers, connectTimeoutMs: options.connectTimeoutMs ?? 60_000, logger: options.logger };
    await connectWithRetry('Kafka admin', () => admin.connect(), retry);
    await connectWithRetry('Kafka producer', () => producer.connect(), retry);
    return new KafkaBus(kafka, admin, producer, options, retry);
  }

  publish<T>(topic: Topic<T>, value: T): void {
    if (this.failure !== null) throw new Error('KafkaBus: an earlier send failed', { cause: this.failure });
    if (this.closed) throw new Error('KafkaBus is closed');
    const key = topic.key(value);
    this.enqueue(topic, key, asBuffer(topic.codec.encode(value)), true);
  }

  /** Writes bytes as they are, one unframed record, keyed and partitioned like `publish` (re-publishing dead letters, tests of bad input). */
  publishRaw(topic: Topic<unknown>, key: string, bytes: Uint8Array): void {
    this.enqueue(topic, key, asBuffer(bytes), false);
  }

  private get queuedCount(): number {
    return this.queue.envelopes;
  }

  /** Produce requests so far and the round trip (sendBatch → acknowledged, acks = all) of the last 4,096: where a hop's time goes. */
  sendRoundTrips(): { requests: number; p50Ms: number; p99Ms: number; maxMs: number } {
    const xs = Array.from(this.sendMs.subarray(0, Math.min(this.sends, SEND_SAMPLES))).sort((a, b) => a - b);
    const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
    return { requests: this.sends, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: xs.at(-1) ?? 0 };
  }

  beforeSend(hook: () => void): void {
    this.beforeSendHooks.push(hook);
  }

  /** Records, envelopes and value bytes sent per topic so far (figures for the benchmarks and the cluster summary). */
  traffic(): Record<string, TopicTraffic> {
    return Object.fromEntries([...this.sentByTopic].map(([topic, t]) => [topic, { ...t }]));
  }

  /**
   * Nothing published is still on its way: the queue is empty and no batch is being
   * sent. A stage that has committed its input offsets may still hold the output of
   * that input here (offsets commit when the handler returns, publishing is
   * asynchronous), so a launcher that drains the pipeline asks this too.
   */
  get sendIdle(): boolean {
    return this.queuedCount === 0 && this.sending === null;
  }

  async flush(): Promise<void> {
    while (this.queuedCount > 0 || this.sending !== null) {
      if (this.sending === null) this.startSending();
      await this.sending;
    }
    if (this.failure !== null) throw new Error('KafkaBus: a send failed', { cause: this.failure });
  }

  async subscribe<T>(topic: Topic<T>, options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription> {
    if (topic.keepForever === true) this.keptForever.add(topic.name);
    await this.ensureTopic(topic.name, topic.partitions);
    await this.ensureTopic(dlqTopicName(topic.name), DLQ_PARTITIONS);
    const tuning = this.options.consumer ?? {};
    const consumer = this.kafka.consumer({
      groupId: kafkaGroupId(options.groupId, topic.name),
      sessionTimeout: tuning.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: tuning.heartbeatIntervalMs ?? 1_000,
      maxWaitTimeInMs: tuning.maxWaitTimeMs ?? 100,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 10 },
    });
    await connectWithRetry(`Kafka consumer ${options.groupId}`, () => consumer.connect(), this.retry);
    const committer = new OffsetCommitter(consumer, topic.name, tuning.commitIntervalMs ?? 100, this.retry.logger);
    const reader = new RecordConsumer({
      topic: topic as Topic<unknown>,
      groupId: options.groupId,
      handler: handler as MessageHandler<unknown>,
      committer,
      sendDeadLetter: (letter) => this.sendDeadLetter(letter),
      logger: this.retry.logger,
    });
    const state: SubscriptionState = { groupId: options.groupId, topic: topic.name, consumer, committer, reader };
    this.consumers.add(state);
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        committer.retain(new Set(event.payload.memberAssignment[topic.name] ?? []));
        resolve();
      }),
    );
    await consumer.subscribe({ topics: [topic.name], fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // order holds per partition only (the Bus port), so partitions go concurrently
      partitionsConsumedConcurrently: topic.partitions,
      eachBatch: (payload) => reader.consumeBatch(payload),
    });
    seekToStartOffsets(consumer, topic.name, options.startOffsets);
    committer.start();
    await joined;
    return { close: () => this.closeSubscription(state) };
  }

  /**
   * The offsets included in this process's state for (group, topic), per partition:
   * the next offset to read after every record whose envelopes all went through the
   * handler (what a snapshot records; kafka-offset-committer.ts). Empty when not subscribed.
   */
  includedOffsets(groupId: string, topicName: string): ReadonlyMap<number, string> {
    for (const s of this.consumers) if (s.groupId === groupId && s.topic === topicName) return new Map(s.committer.includedOffsets());
    return new Map();
  }

  /** The end offset of every partition that holds a record (the retained ranges that are not empty). */
  async endOffsets(topic: Topic<unknown>): Promise<ReadonlyMap<number, number>> {
    const retained = await this.retainedOffsets(topic);
    return new Map([...retained].filter(([, r]) => r.end > r.earliest).map(([partition, r]) => [partition, r.end]));
  }

  async retainedOffsets(topic: Topic<unknown>): Promise<ReadonlyMap<number, RetainedRange>> {
    const offsets = await this.topicOffsets.watermarks(topic.name);
    return new Map(offsets.map((o) => [o.partition, { earliest: Number(o.lowOffset), end: Number(o.highOffset) }]));
  }

  /** Stops handling, commits the included offsets, leaves the group. */
  private async closeSubscription(state: SubscriptionState): Promise<void> {
    if (!this.consumers.delete(state)) return;
    // kafkajs cannot commit once stopped (the member has left the group): the batches
    // in hand stop at their next record, the committer commits, then the member leaves
    state.reader.closing = true;
    await state.reader.idle();
    await state.committer.stop();
    await state.consumer.disconnect();
  }

  /** What `groupId` (the bus-level group, as given to `subscribe`) has committed on `topic`, per partition. */
  committedOffsets(groupId: string, topicName: string): Promise<Record<number, number>> {
    return fetchCommittedOffsets(this.admin, kafkaGroupId(groupId, topicName), topicName);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await Promise.all([...this.consumers].map((c) => this.closeSubscription(c)));
      await this.producer.disconnect();
      await this.admin.disconnect();
    }
  }

  /** Reads every dead letter of a topic so far (a short-lived consumer from the DLQ's beginning). */
  async deadLetters(topicName: string, timeoutMs = 15_000): Promise<DeadLetter[]> {
    const dlq = dlqTopicName(topicName);
    await this.ensureTopic(dlq, DLQ_PARTITIONS);
    const offsets = await this.topicOffsets.watermarks(dlq);
    const expected = offsets.reduce((sum, o) => sum + Number(o.highOffset - o.lowOffset), 0);
    if (expected === 0) return [];
    const letters: DeadLetter[] = [];
    const reader = this.kafka.consumer({ groupId: `perpcore-dlq-reader-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
    await reader.connect();
    try {
      let done: () => void = () => undefined;
      const complete = new Promise<void>((resolve) => (done = resolve));
      await reader.subscribe({ topics: [dlq], fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          letters.push(deadLetterFromMessage(message));
          if (letters.length >= expected) done();
        },
      });
      const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`read ${letters.length}/${expected} dead letters of ${topicName} in ${timeoutMs} ms`)), timeoutMs).unref());
      await Promise.race([complete, timeout]);
    } finally {
      await reader.disconnect();
    }
    return letters.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  /** Creates the topic if missing (checking an existing one's partition count); once per name per bus. */
  ensureTopic(name: string, partitions: number): Promise<void> {
    let ready = this.topicsReady.get(name);
    if (ready === undefined) {
      ready = this.createTopic(name, partitions);
      this.topicsReady.set(name, ready);
      ready.catch(() => this.topicsReady.delete(name));
    }
    return ready;
  }

  private async createTopic(name: string, partitions: number): Promise<void> {
    const replicationFactor = this.options.replicationFactor;
    // A loaded broker can answer the leader wait of a topic it has just created with
    // UNKNOWN_TOPIC_OR_PARTITION (retriable): ask again rather than fail the caller.
    let created = false;
    for (let attempt = 1, delayMs = 200; ; attempt++, delayMs = Math.min(delayMs * 2, 2_000)) {
      try {
        created = await this.admin.createTopics({
          topics: [
            {
              topic: name,
              numPartitions: partitions,
              ...(replicationFactor === undefined ? {} : { replicationFactor }),
              ...(this.keptForever.has(name) ? { configEntries: KEEP_FOREVER_CONFIG } : {}),
            },
          ],
          waitForLeaders: true,
        });
        break;
      } catch (error) {
        if ((error as { retriable?: boolean }).retriable !== true || attempt >= 8) throw error;
        this.retry.logger?.warn({ topic: name, attempt, reason: (error as Error).message }, 'KafkaBus: topic not ready yet; asking again');
        await sleep(delayMs);
      }
    }
    if (created) return;
    const metadata = await this.admin.fetchTopicMetadata({ topics: [name] });
    const actual = metadata.topics[0]?.partitions.length ?? 0;
    if (actual !== partitions) {
      throw new Error(`topic ${name} has ${actual} partitions on the broker but the code expects ${partitions}: keys would be routed to the wrong partitions`);
    }
  }

  private enqueue(topic: Topic<unknown>, key: string, value: Buffer, framed: boolean): void {
    const partition = topic.partitions === 1 ? 0 : partitionForKey(key, topic.partitions);
    if (topic.keepForever === true) this.keptForever.add(topic.name);
    if (!this.topicsReady.has(topic.name)) void this.ensureTopic(topic.name, topic.partitions).catch(() => undefined);
    if (framed) this.queue.add(topic.name, topic.partitions, partition, key, value);
    else this.queue.addRaw(topic.name, topic.partitions, partition, key, value);
    if (this.sending !== null) return;
    if (this.queuedCount >= this.batchMax) this.startSending();
    else if (this.lingerTimer === null) this.lingerTimer = setTimeout(() => this.startSending(), this.lingerMs);
  }

  private startSending(): void {
    if (this.lingerTimer !== null) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (this.sending !== null || this.queuedCount === 0) return;
    this.sending = this.sendLoop().finally(() => {
      this.sending = null;
      if (this.queuedCount > 0 && this.failure === null) this.startSending();
    });
  }

  private async sendLoop(): Promise<void> {
    while (this.queuedCount > 0 && this.failure === null) {
      await this.sendWithRetry(this.queue.take(this.batchMaxBytes));
    }
  }

  /** Sends one batch, again and again on transient errors; only then does the loop take what was queued after it. */
  private async sendWithRetry(batch: Map<string, QueuedRecord[]>): Promise<void> {
    const deadline = Date.now() + (this.options.sendRetryTimeoutMs ?? 120_000);
    const topics = [...batch.keys()];
    const topicMessages = [...batch.entries()].map(([topic, queued]) => ({
      topic,
      messages: queued.map((q) => ({ key: q.key, value: q.value, partition: q.partition, timestamp: String(q.firstQueuedAtMs), headers: q.framed ? FRAME_HEADERS : undefined })),
    }));
    const messages = topicMessages.reduce((n, t) => n + t.messages.length, 0);
    let delayMs = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        for (const [topic, queued] of batch) await this.ensureTopic(topic, queued[0].partitions);
        for (const hook of this.beforeSendHooks) hook();
        const startMs = performance.now();
        await this.producer.sendBatch({ topicMessages, acks: -1 });
        this.sendMs[this.sends++ % SEND_SAMPLES] = performance.now() - startMs;
        if (attempt > 1) this.retry.logger?.warn({ attempt, topics }, 'KafkaBus: batch sent after retries');
        this.count(batch);
        return;
      } catch (error) {
        if (!isTransientSendError(error) || Date.now() + delayMs > deadline) {
          this.failure = error;
          this.retry.logger?.error({ err: error, attempt, messages, topics }, 'KafkaBus: send failed; the bus is stopped');
          return;
        }
        this.retry.logger?.warn({ reason: (error as Error).message, attempt, messages, retryInMs: delayMs }, 'KafkaBus: send failed on a transient error; sending the batch again');
        await sleep(delayMs);
        delayMs = Math.min(delayMs * 2, 5_000);
      }
    }
  }

  private count(batch: Map<string, QueuedRecord[]>): void {
    for (const [topic, records] of batch) {
      let t = this.sentByTopic.get(topic);
      if (t === undefined) this.sentByTopic.set(topic, (t = { records: 0, envelopes: 0, bytes: 0 }));
      t.records += records.length;
      for (const r of records) {
        t.envelopes += r.envelopes;
        t.bytes += r.value.length;
      }
    }
  }

  private async sendDeadLetter(letter: DeadLetter): Promise<void> {
    this.retry.logger?.warn(
      { topic: letter.topic, partition: letter.partition, offset: letter.offset, groupId: letter.groupId, code: letter.code, reason: letter.reason },
      'message sent to the dead-letter topic',
    );
    const dlq = dlqTopicName(letter.topic);
    await this.ensureTopic(dlq, DLQ_PARTITIONS);
    await this.producer.send({
      topic: dlq,
      acks: -1,
      messages: [{ key: letter.key, value: letter.bytes === null ? null : asBuffer(letter.bytes), partition: 0, headers: deadLetterHeaders(letter) }],
    });
  }
}
