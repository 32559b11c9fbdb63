/**
 * The cluster bus: kafkajs 2.2.4 against Apache Kafka (verified against 4.1.2).
 *
 * Producer
 * - Idempotent (`idempotent: true`, acks = all, unlimited retries, one request in
 *   flight, as kafkajs requires for ordered idempotence): a broker restart or a
 *   retried request never writes a message twice or out of order.
 * - `publish` encodes synchronously (a value that cannot be encoded throws at the
 *   call site), picks the partition itself with Kafka's murmur2 (partition-for-key.ts,
 *   so the partitioner is explicit and the same as the in-process bus), and queues.
 *   A single send loop ships the queue as one `sendBatch` when it reaches
 *   `batchMaxMessages` or `lingerMs` after the first queued message; batches go
 *   out one at a time, so publish order per partition is the log order.
 * - A batch whose send fails on a transient error (broker down or restarting,
 *   connection closed, kafkajs's own retries exhausted) is sent again with backoff
 *   (100 ms doubling to 5 s) before anything queued after it, for up to
 *   `sendRetryTimeoutMs`. kafkajs rolls its idempotence sequence numbers back on a
 *   failed produce, so the re-send carries the same sequences and the broker drops
 *   what it had already written: no duplicate, no reordering. (With several brokers
 *   a batch can half-succeed; the re-send of the succeeded half would then be a
 *   duplicate, which the consumers' sequence dedup drops.)
 * - A send that fails for good (not transient, or past the timeout) poisons the
 *   bus: `flush()` and the next `publish` throw it. Nothing is silently dropped.
 *
 * Consumer (one kafkajs consumer per `subscribe`)
 * - `autoCommit: false`. Messages of a batch are handled one after another; each
 *   offset is resolved after its handler's promise resolved, and the batch's
 *   resolved offsets are committed at the end of the batch (also when a handler
 *   fails midway). A crash loses at most the uncommitted tail, which is delivered
 *   again; consumers deduplicate by sequence (sequence-dedup.ts).
 * - Decode failures and `RejectedMessageError`s: logged with topic/partition/offset,
 *   written to `<topic>.dlq` (awaited, acks = all), then the offset moves on.
 * - Any other handler error: logged, the offset stays, and kafkajs retries the batch
 *   from that message with backoff (restarting the consumer if retries run out).
 * - `subscribe` resolves once the consumer has joined its group. The Kafka group id
 *   is `<groupId>.<topic>` (kafkaGroupId): groups are per topic, as on the in-process bus.
 *
 * Topics are created through the admin client with the topic's partition count
 * (and `<topic>.dlq` with one); an existing topic with another partition count is
 * an error, because keys would land on other partitions than the code expects.
 */
import type { Logger } from '@perpcore/observability';
import { type Admin, type Consumer, type EachBatchPayload, Kafka, type KafkaMessage, Partitioners, type Producer, logLevel } from 'kafkajs';
import {
  type Bus,
  type BusMessage,
  type DeadLetter,
  type MessageHandler,
  RejectedMessageError,
  type SubscribeOptions,
  type Subscription,
  type Topic,
  dlqTopicName,
} from './bus.js';
import { type ConnectRetryOptions, connectWithRetry, kafkajsLogCreator } from './kafka-connect.js';
import { DLQ_PARTITIONS, deadLetterFromMessage, deadLetterHeaders } from './kafka-dead-letters.js';
import { partitionForKey } from './partition-for-key.js';
import { fetchCommittedOffsets, seekToStartOffsets } from './kafka-offsets.js';

export interface KafkaBusOptions {
  brokers: readonly string[];
  clientId: string;
  logger?: Logger;
  /** Ship the queue when it holds this many messages; also the most one send carries (default 2,000). */
  batchMaxMessages?: number;
  /** The most value bytes one send carries (default 512 KiB, under the broker's 1 MiB message.max.bytes per partition batch). */
  batchMaxBytes?: number;
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
  };
}

interface Queued {
  topic: string;
  partitions: number;
  key: string;
  value: Buffer;
  partition: number;
}

interface MutableMessage {
  value: unknown;
  key: string;
  partition: number;
  offset: number;
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

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

export class KafkaBus implements Bus {
  /** Messages not sent yet, in publish order (from `queueHead`). */
  private queue: Queued[] = [];
  private queueHead = 0;
  private sending: Promise<void> | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private failure: unknown = null;
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly consumers = new Set<Consumer>();
  private readonly batchMax: number;
  private readonly batchMaxBytes: number;
  private readonly lingerMs: number;
  private closed = false;

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
    this.enqueue(topic, key, asBuffer(topic.codec.encode(value)));
  }

  /** Writes bytes as they are, keyed and partitioned like `publish` (re-publishing dead letters, tests of bad input). */
  publishRaw(topic: Topic<unknown>, key: string, bytes: Uint8Array): void {
    this.enqueue(topic, key, asBuffer(bytes));
  }

  private get queuedCount(): number {
    return this.queue.length - this.queueHead;
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
    this.consumers.add(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topics: [topic.name], fromBeginning: options.fromBeginning ?? false });
    const message: MutableMessage = { value: undefined, key: '', partition: 0, offset: 0 };
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.consumeBatch(consumer, topic, options.groupId, handler as MessageHandler<unknown>, message, payload),
    });
    seekToStartOffsets(consumer, topic.name, options.startOffsets);
    await joined;
    return {
      close: async () => {
        if (!this.consumers.delete(consumer)) return;
        await consumer.disconnect();
      },
    };
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
      await Promise.all([...this.consumers].map((c) => c.disconnect()));
      this.consumers.clear();
      await this.producer.disconnect();
      await this.admin.disconnect();
    }
  }

  /** Reads every dead letter of a topic so far (a short-lived consumer from the DLQ's beginning). */
  async deadLetters(topicName: string, timeoutMs = 15_000): Promise<DeadLetter[]> {
    const dlq = dlqTopicName(topicName);
    await this.ensureTopic(dlq, DLQ_PARTITIONS);
    const offsets = await this.admin.fetchTopicOffsets(dlq);
    const expected = offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
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
    const created = await this.admin.createTopics({
      topics: [{ topic: name, numPartitions: partitions, ...(replicationFactor === undefined ? {} : { replicationFactor }) }],
      waitForLeaders: true,
    });
    if (created) return;
    const metadata = await this.admin.fetchTopicMetadata({ topics: [name] });
    const actual = metadata.topics[0]?.partitions.length ?? 0;
    if (actual !== partitions) {
      throw new Error(`topic ${name} has ${actual} partitions on the broker but the code expects ${partitions}: keys would be routed to the wrong partitions`);
    }
  }

  private enqueue(topic: Topic<unknown>, key: string, value: Buffer): void {
    const partition = topic.partitions === 1 ? 0 : partitionForKey(key, topic.partitions);
    if (!this.topicsReady.has(topic.name)) void this.ensureTopic(topic.name, topic.partitions).catch(() => undefined);
    this.queue.push({ topic: topic.name, partitions: topic.partitions, key, value, partition });
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
      await this.sendWithRetry(this.takeBatch());
    }
  }

  /** The oldest queued messages, at most batchMax of them and batchMaxBytes of values, grouped by topic in order. */
  private takeBatch(): Map<string, Queued[]> {
    const batch = new Map<string, Queued[]>();
    let count = 0;
    let bytes = 0;
    while (this.queueHead < this.queue.length && count < this.batchMax) {
      const next = this.queue[this.queueHead];
      if (count > 0 && bytes + next.value.length > this.batchMaxBytes) break;
      this.queueHead++;
      count++;
      bytes += next.value.length;
      const forTopic = batch.get(next.topic);
      if (forTopic === undefined) batch.set(next.topic, [next]);
      else forTopic.push(next);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 65_536) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return batch;
  }

  /** Sends one batch, again and again on transient errors; only then does the loop take what was queued after it. */
  private async sendWithRetry(batch: Map<string, Queued[]>): Promise<void> {
    const deadline = Date.now() + (this.options.sendRetryTimeoutMs ?? 120_000);
    const topics = [...batch.keys()];
    const topicMessages = [...batch.entries()].map(([topic, queued]) => ({
      topic,
      messages: queued.map((q) => ({ key: q.key, value: q.value, partition: q.partition })),
    }));
    const messages = topicMessages.reduce((n, t) => n + t.messages.length, 0);
    let delayMs = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        for (const [topic, queued] of batch) await this.ensureTopic(topic, queued[0].partitions);
        await this.producer.sendBatch({ topicMessages, acks: -1 });
        if (attempt > 1) this.retry.logger?.warn({ attempt, topics }, 'KafkaBus: batch sent after retries');
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

  private async consumeBatch(
    consumer: Consumer,
    topic: Topic<unknown>,
    groupId: string,
    handler: MessageHandler<unknown>,
    message: MutableMessage,
    { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
  ): Promise<void> {
    let lastDone: string | null = null;
    try {
      for (const raw of batch.messages) {
        if (!isRunning() || isStale()) break;
        await this.consumeOne(topic, groupId, handler, message, batch.partition, raw);
        resolveOffset(raw.offset);
        lastDone = raw.offset;
        await heartbeat();
      }
    } finally {
      if (lastDone !== null) {
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset(lastDone) }]);
      }
    }
  }

  private async consumeOne(
    topic: Topic<unknown>,
    groupId: string,
    handler: MessageHandler<unknown>,
    message: MutableMessage,
    partition: number,
    raw: KafkaMessage,
  ): Promise<void> {
    const key = raw.key === null ? '' : raw.key.toString();
    const offset = Number(raw.offset);
    const bytes = raw.value ?? Buffer.alloc(0);
    const decoded = topic.codec.decode(bytes);
    if (!decoded.ok) {
      await this.sendDeadLetter({ topic: topic.name, partition, offset, key, code: decoded.error.code, reason: decoded.error.message, bytes, groupId });
      return;
    }
    message.value = decoded.value;
    message.key = key;
    message.partition = partition;
    message.offset = offset;
    try {
      await handler(message as BusMessage<unknown>);
    } catch (error) {
      if (error instanceof RejectedMessageError) {
        await this.sendDeadLetter({ topic: topic.name, partition, offset, key, code: error.code, reason: error.message, bytes, groupId });
        return;
      }
      this.retry.logger?.error({ err: error, topic: topic.name, partition, offset, groupId }, 'KafkaBus: handler failed; the message will be delivered again');
      throw error;
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
