/**
 * The embedded bus: every stage in one process, topics as in-memory logs.
 *
 * Layout: per topic, one append-only log per partition (parallel arrays of values
 * and keys, absolute offsets from `base`); per consumer group, a committed offset
 * and an in-flight flag per partition; members of a group own partitions
 * round-robin in join order.
 *
 * Delivery invariants
 * - Synchronous and breadth-first: the outermost `publish` delivers before it
 *   returns; a publish made by a handler only enqueues, and a drain loop delivers
 *   in global publish order (no re-entrant depth-first delivery).
 * - A group receives offset o of a partition only when its committed offset is o
 *   and nothing is in flight there: per-partition FIFO, once per group.
 * - A handler returning a promise pauses its group's partition until it settles;
 *   the offset is committed when it resolves.
 * - Values pass by reference (no encoding on the hot path); with `codecRoundTrip`
 *   every message is encoded at publish and decoded per group, which proves every
 *   value is serialisable (tests run that way).
 * - Undecodable bytes and `RejectedMessageError`s go to the topic's dead letters
 *   and the offset moves on. Any other synchronous handler error propagates to the
 *   outermost publisher; the message stays uncommitted and is redelivered on the
 *   next drain. An asynchronous one is reported through `onError` and the message
 *   is redelivered after a backoff (10 ms doubling to 1 s), as the Kafka bus does:
 *   uncommitted means delivered again.
 *
 * Retention: a partition keeps its last `retainPerPartition` messages, and older
 * ones only until every group has committed past them (default 1,000,000).
 */
import type { Logger } from '@perpcore/observability';
import {
  type Bus,
  type BusMessage,
  type DeadLetter,
  type MessageHandler,
  RejectedMessageError,
  type SubscribeOptions,
  type Subscription,
  type Topic,
} from './bus.js';
import { partitionForKey } from './partition-for-key.js';

export interface InProcessBusOptions {
  /** Encode every message at publish and decode it per group (default false). */
  codecRoundTrip?: boolean;
  /** Messages kept per partition beyond what every group has consumed (default 1,000,000). */
  retainPerPartition?: number;
  logger?: Logger;
  /** Called when an asynchronous handler rejects with an unexpected error, before the retry (default: logged at error). */
  onError?: (error: unknown, where: { topic: string; groupId: string; partition: number; offset: number }) => void;
}

/** A log slot holding bytes not decoded yet (round-trip mode, or injected raw input). */
class RawBytes {
  constructor(readonly bytes: Uint8Array) {}
}

class PartitionLog {
  base = 0;
  readonly values: unknown[] = [];
  readonly keys: string[] = [];
  get end(): number {
    return this.base + this.values.length;
  }
}

interface MutableMessage {
  value: unknown;
  key: string;
  partition: number;
  offset: number;
}

class Member {
  readonly message: MutableMessage = { value: undefined, key: '', partition: 0, offset: 0 };
  constructor(readonly handler: MessageHandler<unknown>) {}
}

class GroupState {
  readonly members: Member[] = [];
  readonly owner: (Member | null)[];
  readonly committed: number[];
  readonly inFlight: boolean[];
  /** Consecutive failures of the message at the committed offset (drives the retry backoff). */
  readonly failures: number[];
  constructor(readonly groupId: string, partitions: number) {
    this.owner = new Array<Member | null>(partitions).fill(null);
    this.committed = new Array<number>(partitions).fill(0);
    this.inFlight = new Array<boolean>(partitions).fill(false);
    this.failures = new Array<number>(partitions).fill(0);
  }
  reassign(): void {
    for (let p = 0; p < this.owner.length; p++) this.owner[p] = this.members.length === 0 ? null : this.members[p % this.members.length];
  }
}

class TopicState {
  readonly logs: PartitionLog[];
  /** The last key routed and its partition: most publishes repeat the previous key (one market, one account). */
  lastKey: string | null = null;
  lastPartition = 0;
  /** Groups with at least one member, in subscription order. */
  readonly active: GroupState[] = [];
  readonly groups = new Map<string, GroupState>();
  readonly deadLetters: DeadLetter[] = [];
  constructor(readonly topic: Topic<unknown>) {
    this.logs = Array.from({ length: topic.partitions }, () => new PartitionLog());
  }
}

export class InProcessBus implements Bus {
  private readonly topics = new Map<string, TopicState>();
  private lastTopic: Topic<unknown> | null = null;
  private lastState: TopicState | null = null;
  private readonly roundTrip: boolean;
  private readonly retain: number;
  private readonly logger: Logger | undefined;
  private readonly onError: NonNullable<InProcessBusOptions['onError']>;
  // The delivery queue, in publish order: three parallel arrays, no object per message.
  private readonly queueTopic: TopicState[] = [];
  private readonly queuePartition: number[] = [];
  private readonly queueOffset: number[] = [];
  private queueHead = 0;
  private readonly catchUps: { state: TopicState; group: GroupState }[] = [];
  private draining = false;
  private inFlightCount = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.roundTrip = options.codecRoundTrip ?? false;
    this.retain = options.retainPerPartition ?? 1_000_000;
    if (!Number.isInteger(this.retain) || this.retain < 1) throw new Error(`retainPerPartition must be a positive integer, got ${this.retain}`);
    this.logger = options.logger;
    this.onError =
      options.onError ?? ((error, where) => this.logger?.error({ err: error, ...where }, 'in-process bus: handler failed; will redeliver'));
  }

  publish<T>(topic: Topic<T>, value: T): void {
    const key = topic.key(value);
    this.append(this.stateOf(topic), key, this.roundTrip ? new RawBytes(topic.codec.encode(value)) : value);
  }

  /** Appends bytes as they would arrive from the wire (journal replay, tests of bad input); decoded at delivery. */
  publishRaw(topic: Topic<unknown>, key: string, bytes: Uint8Array): void {
    this.append(this.stateOf(topic), key, new RawBytes(bytes));
  }

  async flush(): Promise<void> {
    if (!this.draining) this.drain();
    while (this.inFlightCount > 0 || this.queueHead < this.queueTopic.length || this.catchUps.length > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      if (!this.draining) this.drain();
    }
  }

  async subscribe<T>(topic: Topic<T>, options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription> {
    if (this.closed) throw new Error('in-process bus is closed');
    const state = this.stateOf(topic);
    let group = state.groups.get(options.groupId);
    if (group === undefined) {
      group = new GroupState(options.groupId, topic.partitions);
      for (let p = 0; p < topic.partitions; p++) group.committed[p] = options.fromBeginning === true ? state.logs[p].base : state.logs[p].end;
      state.groups.set(options.groupId, group);
    }
    applyStartOffsets(group.committed, state.logs, options.startOffsets);
    const member = new Member(handler as MessageHandler<unknown>);
    if (group.members.length === 0) state.active.push(group);
    group.members.push(member);
    group.reassign();
    const joined = group;
    this.catchUps.push({ state, group: joined });
    if (!this.draining) this.drain();
    return {
      close: async () => {
        const at = joined.members.indexOf(member);
        if (at < 0) return;
        joined.members.splice(at, 1);
        joined.reassign();
        if (joined.members.length === 0) state.active.splice(state.active.indexOf(joined), 1);
        else {
          this.catchUps.push({ state, group: joined });
          if (!this.draining) this.drain();
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    for (const state of this.topics.values()) {
      state.active.length = 0;
      for (const group of state.groups.values()) {
        group.members.length = 0;
        group.reassign();
      }
    }
  }

  /** Dead letters of a topic, oldest first. */
  deadLetters(topicName: string): readonly DeadLetter[] {
    return this.topics.get(topicName)?.deadLetters ?? [];
  }

  /** Offsets of a partition's log: [first retained, next to be written). */
  logRange(topicName: string, partition: number): { base: number; end: number } {
    const log = this.topics.get(topicName)?.logs[partition];
    return log === undefined ? { base: 0, end: 0 } : { base: log.base, end: log.end };
  }

  private stateOf(topic: Topic<unknown>): TopicState {
    if (topic === this.lastTopic && this.lastState !== null) return this.lastState;
    let state = this.topics.get(topic.name);
    if (state === undefined) {
      state = new TopicState(topic);
      this.topics.set(topic.name, state);
    } else if (state.topic.partitions !== topic.partitions) {
      throw new Error(`topic ${topic.name} has ${state.topic.partitions} partitions on this bus, not ${topic.partitions}`);
    }
    this.lastTopic = topic;
    this.lastState = state;
    return state;
  }

  private append(state: TopicState, key: string, stored: unknown): void {
    if (this.closed) throw new Error('in-process bus is closed');
    const partitions = state.topic.partitions;
    let p = 0;
    if (partitions > 1) {
      if (key === state.lastKey) p = state.lastPartition;
      else {
        p = partitionForKey(key, partitions);
        state.lastKey = key;
        state.lastPartition = p;
      }
    }
    const log = state.logs[p];
    const offset = log.end;
    log.values.push(stored);
    log.keys.push(key);
    if (log.values.length > 2 * this.retain && state.topic.keepForever !== true) this.trim(state, log, p);
    if (state.active.length === 0) return;
    if (this.draining || this.queueHead < this.queueTopic.length || this.catchUps.length > 0) {
      this.queueTopic.push(state);
      this.queuePartition.push(p);
      this.queueOffset.push(offset);
      if (!this.draining) this.drain();
      return;
    }
    // Outermost publish with nothing pending: deliver this message directly, then drain what its handlers published.
    this.draining = true;
    try {
      const active = state.active;
      for (let g = 0; g < active.length; g++) {
        const group = active[g];
        if (group.committed[p] === offset && !group.inFlight[p]) this.deliver(state, group, p, offset);
      }
    } finally {
      this.draining = false;
    }
    if (this.queueHead < this.queueTopic.length || this.catchUps.length > 0) this.drain();
    else if (this.inFlightCount === 0 && this.idleWaiters.length > 0) this.wakeIdleWaiters();
  }

  /** Drops the oldest messages beyond the retention window that every group has committed past. */
  private trim(state: TopicState, log: PartitionLog, p: number): void {
    let upTo = log.end - this.retain;
    for (const group of state.groups.values()) upTo = Math.min(upTo, group.committed[p]);
    const count = upTo - log.base;
    if (count <= 0) return;
    log.values.splice(0, count);
    log.keys.splice(0, count);
    log.base = upTo;
  }

  private drain(): void {
    this.draining = true;
    try {
      for (;;) {
        const next = this.catchUps.shift();
        if (next !== undefined) {
          this.catchUp(next.state, next.group);
          continue;
        }
        if (this.queueHead >= this.queueTopic.length) break;
        const at = this.queueHead++;
        const state = this.queueTopic[at];
        const p = this.queuePartition[at];
        const offset = this.queueOffset[at];
        const active = state.active;
        for (let g = 0; g < active.length; g++) {
          const group = active[g];
          if (group.committed[p] === offset && !group.inFlight[p]) this.deliver(state, group, p, offset);
        }
      }
      this.queueTopic.length = 0;
      this.queuePartition.length = 0;
      this.queueOffset.length = 0;
      this.queueHead = 0;
    } finally {
      this.draining = false;
    }
    if (this.inFlightCount === 0) this.wakeIdleWaiters();
  }

  private catchUp(state: TopicState, group: GroupState): void {
    for (let p = 0; p < group.owner.length; p++) {
      const log = state.logs[p];
      if (group.committed[p] < log.base) {
        this.logger?.warn({ topic: state.topic.name, groupId: group.groupId, partition: p, from: group.committed[p], to: log.base }, 'in-process bus: skipped messages beyond retention');
        group.committed[p] = log.base;
      }
      while (group.owner[p] !== null && !group.inFlight[p] && group.committed[p] < log.end) {
        this.deliver(state, group, p, group.committed[p]);
      }
    }
  }

  private deliver(state: TopicState, group: GroupState, p: number, offset: number): void {
    const member = group.owner[p];
    if (member === null) return;
    const log = state.logs[p];
    let value = log.values[offset - log.base];
    const key = log.keys[offset - log.base];
    if (value instanceof RawBytes) {
      const decoded = state.topic.codec.decode(value.bytes);
      if (!decoded.ok) {
        this.deadLetter(state, group, p, offset, key, decoded.error.code, decoded.error.message, value.bytes);
        group.committed[p] = offset + 1;
        return;
      }
      value = decoded.value;
    }
    const message = member.message;
    message.value = value;
    message.key = key;
    message.partition = p;
    message.offset = offset;
    let result: void | Promise<void>;
    try {
      result = member.handler(message as BusMessage<unknown>);
    } catch (error) {
      if (error instanceof RejectedMessageError) {
        this.rejected(state, group, p, offset, key, error, value);
        return;
      }
      // A bug in the handler: leave the message uncommitted and retry every group of this topic on the next drain.
      for (const g of state.active) this.catchUps.push({ state, group: g });
      throw error;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      group.inFlight[p] = true;
      this.inFlightCount++;
      (result as Promise<void>).then(
        () => {
          group.failures[p] = 0;
          group.committed[p] = offset + 1;
          this.settled(state, group, p, 0);
        },
        (error: unknown) => {
          if (error instanceof RejectedMessageError) {
            this.rejected(state, group, p, offset, key, error, value);
            this.settled(state, group, p, 0);
            return;
          }
          this.onError(error, { topic: state.topic.name, groupId: group.groupId, partition: p, offset });
          const failures = ++group.failures[p];
          this.settled(state, group, p, Math.min(1000, 10 * 2 ** (failures - 1)));
        },
      );
      return;
    }
    group.committed[p] = offset + 1;
  }

  /** The handler's promise settled: free the partition and resume the group, now or after `retryAfterMs`. */
  private settled(state: TopicState, group: GroupState, p: number, retryAfterMs: number): void {
    group.inFlight[p] = false;
    if (retryAfterMs > 0) {
      // Still counted in flight, so flush() waits for the retry.
      setTimeout(() => this.settled(state, group, p, 0), retryAfterMs);
      group.inFlight[p] = true;
      return;
    }
    this.inFlightCount--;
    this.catchUps.push({ state, group });
    if (!this.draining) this.drain();
  }

  private rejected(state: TopicState, group: GroupState, p: number, offset: number, key: string, error: RejectedMessageError, value: unknown): void {
    let bytes: Uint8Array | null = null;
    try {
      bytes = state.topic.codec.encode(value);
    } catch {
      bytes = null;
    }
    this.deadLetter(state, group, p, offset, key, error.code, error.message, bytes);
    group.committed[p] = offset + 1;
  }

  private deadLetter(state: TopicState, group: GroupState, p: number, offset: number, key: string, code: string, reason: string, bytes: Uint8Array | null): void {
    const letter: DeadLetter = { topic: state.topic.name, partition: p, offset, key, code, reason, bytes, groupId: group.groupId };
    state.deadLetters.push(letter);
    this.logger?.warn({ topic: letter.topic, partition: p, offset, groupId: group.groupId, code, reason }, 'message sent to dead letters');
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters.splice(0);
    for (const wake of waiters) wake();
  }
}

/** `startOffsets` on the in-process bus: the group's next offset per listed partition, kept within what the log holds. */
function applyStartOffsets(committed: number[], logs: readonly PartitionLog[], startOffsets: Readonly<Record<number, number>> | undefined): void {
  if (startOffsets === undefined) return;
  for (const [p, offset] of Object.entries(startOffsets)) {
    const log = logs[Number(p)];
    if (log !== undefined) committed[Number(p)] = Math.min(Math.max(offset, log.base), log.end);
  }
}
