/**
 * A `Bus` decorator for a stage that snapshots in cluster mode: it remembers, per
 * topic and partition, the next offset after the last message the stage applied
 * (handled, or refused to the dead letters), and starts each subscription at the
 * offsets a restored snapshot includes. Install it closest to the Kafka bus (below
 * input guards and the colocated bus), so it sees every message the stage was given.
 *
 * Consistency: handlers are synchronous, so between two messages the stage state
 * and `positions()` describe the same point; a snapshot taken from a timer (which
 * runs between messages) records exactly the offsets its state includes. A framed
 * record is included only once its last envelope was applied: between two envelopes
 * of one record (the bus awaits a dead-letter write there) `atRecordBoundary` is
 * false and the periodic snapshot waits, since an offset cannot say "half a record".
 *
 * Order: with an `InputSequencer` (input-sequencer.ts), every message goes through it
 * first, so the stage applies its inputs in the logged order after a restart.
 */
import { type Bus, type BusMessage, type MessageHandler, RejectedMessageError, type RetainedRange, type SubscribeOptions, type Subscription, type Topic } from '@perpcore/bus';
import type { InputSequencer } from './input-sequencer.js';
import type { TopicOffsets } from './snapshot-file.js';

export class OffsetTrackingBus implements Bus {
  private readonly next = new Map<string, Map<number, number>>();
  /** Messages applied since the start (a snapshot policy counts them). */
  applied = 0;
  /** Partitions whose last applied message was not the last of its record. */
  private readonly midRecord = new Set<string>();

  /** The inner bus's, when it has them (Kafka): a reader's catch-up and retention checks see through the decorator. */
  readonly endOffsets?: (topic: Topic<unknown>) => Promise<ReadonlyMap<number, number>>;
  readonly retainedOffsets?: (topic: Topic<unknown>) => Promise<ReadonlyMap<number, RetainedRange>>;
  /**
   * The inner bus's handled offsets, raised to where the subscription started: a
   * partition restored at its end offset delivers nothing, yet holds everything up to it.
   */
  readonly includedOffsets?: (groupId: string, topicName: string) => ReadonlyMap<number, string>;

  constructor(
    private readonly inner: Bus,
    private readonly startAt: TopicOffsets = {},
    /** With a sequencer: the topics it numbers (the stage's topic list, in its order). */
    private readonly sequencing: { readonly sequencer: InputSequencer; readonly topics: readonly string[] } | null = null,
    /** Start every partition of a topic `startAt` does not list at offset 0, whatever the group committed (a recovery from genesis). */
    private readonly fromGenesis = false,
  ) {
    for (const [topic, partitions] of Object.entries(startAt)) {
      this.next.set(topic, new Map(Object.entries(partitions).map(([p, o]) => [Number(p), o])));
    }
    if (inner.endOffsets !== undefined) this.endOffsets = inner.endOffsets.bind(inner);
    if (inner.retainedOffsets !== undefined) this.retainedOffsets = inner.retainedOffsets.bind(inner);
    const included = inner.includedOffsets?.bind(inner);
    if (included !== undefined) {
      this.includedOffsets = (groupId, topicName) => {
        const out = new Map(included(groupId, topicName));
        for (const [p, o] of Object.entries(startAt[topicName] ?? {})) if (Number(out.get(Number(p)) ?? -1) < o) out.set(Number(p), String(o));
        return out;
      };
    }
  }

  publish<T>(topic: Topic<T>, value: T): void {
    this.inner.publish(topic, value);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  subscribe<T>(topic: Topic<T>, options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription> {
    let positions = this.next.get(topic.name);
    if (positions === undefined) this.next.set(topic.name, (positions = new Map()));
    const at = positions;
    // a partition nothing was applied from yet is included at its beginning: left out, a
    // restart would resume it at the group's committed offset, ahead of the state, and
    // lose every message a snapshot taken now does not include
    if (options.fromBeginning === true) for (let p = 0; p < topic.partitions; p++) if (!at.has(p)) at.set(p, 0);
    const start = this.startAt[topic.name];
    const genesis = this.fromGenesis ? Object.fromEntries(Array.from({ length: topic.partitions }, (_, p) => [p, 0])) : options.startOffsets;
    const startOffsets = start === undefined ? genesis : Object.fromEntries(Object.entries(start).map(([p, o]) => [Number(p), o]));
    const name = topic.name;
    const apply = (message: BusMessage<T>): void | Promise<void> => {
      let result: void | Promise<void>;
      try {
        result = handler(message);
      } catch (error) {
        if (error instanceof RejectedMessageError) this.record(name, at, message);
        throw error;
      }
      if (result instanceof Promise) {
        const done = { partition: message.partition, offset: message.offset, lastInRecord: message.lastInRecord };
        return result.then(
          () => this.record(name, at, done),
          (error: unknown) => {
            if (error instanceof RejectedMessageError) this.record(name, at, done);
            throw error;
          },
        );
      }
      this.record(name, at, message);
    };
    const s = this.sequencing;
    const topicIndex = s === null ? -1 : s.topics.indexOf(name);
    if (s !== null && topicIndex < 0) throw new Error(`${name} is not in the stage's topic list (${s.topics.join(', ')}): its order could not be logged`);
    const handle = s === null ? apply : (message: BusMessage<T>) => s.sequencer.message(topicIndex, message as BusMessage<unknown>, apply as (m: BusMessage<unknown>) => void | Promise<void>);
    return this.inner.subscribe(topic, { ...options, ...(startOffsets === undefined ? {} : { startOffsets }) }, handle);
  }

  /** No record is half applied: a snapshot now records offsets that say exactly what the state includes. */
  get atRecordBoundary(): boolean {
    return this.midRecord.size === 0;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Per topic and partition, the next offset to consume: what a snapshot taken now includes. */
  positions(): TopicOffsets {
    const out: TopicOffsets = {};
    for (const [topic, partitions] of this.next) {
      const row: Record<string, number> = {};
      for (const [p, o] of [...partitions].sort((a, b) => a[0] - b[0])) row[String(p)] = o;
      out[topic] = row;
    }
    return out;
  }

  private record(topic: string, at: Map<number, number>, m: { partition: number; offset: number; lastInRecord?: boolean | undefined }): void {
    at.set(m.partition, m.offset + 1);
    const where = `${topic}|${m.partition}`;
    if (m.lastInRecord === false) this.midRecord.add(where);
    else this.midRecord.delete(where);
    this.applied++;
  }
}
