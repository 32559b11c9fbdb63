/**
 * A `Bus` decorator for a stage that snapshots in cluster mode: it remembers, per
 * topic and partition, the next offset after the last message the stage applied
 * (handled, or refused to the dead letters), and starts each subscription at the
 * offsets a restored snapshot includes. Install it closest to the Kafka bus (below
 * input guards and the colocated bus), so it sees every message the stage was given.
 *
 * Consistency: handlers are synchronous, so between two messages the stage state
 * and `positions()` describe the same point; a snapshot taken from a timer (which
 * runs between messages) records exactly the offsets its state includes.
 */
import { type Bus, type MessageHandler, RejectedMessageError, type SubscribeOptions, type Subscription, type Topic } from '@perpcore/bus';
import type { TopicOffsets } from './snapshot-file.js';

export class OffsetTrackingBus implements Bus {
  private readonly next = new Map<string, Map<number, number>>();
  /** Messages applied since the start (a snapshot policy counts them). */
  applied = 0;

  constructor(
    private readonly inner: Bus,
    private readonly startAt: TopicOffsets = {},
  ) {
    for (const [topic, partitions] of Object.entries(startAt)) {
      this.next.set(topic, new Map(Object.entries(partitions).map(([p, o]) => [Number(p), o])));
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
    const start = this.startAt[topic.name];
    const startOffsets = start === undefined ? options.startOffsets : Object.fromEntries(Object.entries(start).map(([p, o]) => [Number(p), o]));
    return this.inner.subscribe(topic, { ...options, ...(startOffsets === undefined ? {} : { startOffsets }) }, (message) => {
      let result: void | Promise<void>;
      try {
        result = handler(message);
      } catch (error) {
        if (error instanceof RejectedMessageError) this.record(at, message.partition, message.offset);
        throw error;
      }
      if (result instanceof Promise) {
        const { partition, offset } = message;
        return result.then(
          () => this.record(at, partition, offset),
          (error: unknown) => {
            if (error instanceof RejectedMessageError) this.record(at, partition, offset);
            throw error;
          },
        );
      }
      this.record(at, message.partition, message.offset);
    });
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

  private record(at: Map<number, number>, partition: number, offset: number): void {
    at.set(partition, offset + 1);
    this.applied++;
  }
}
