/**
 * `ColocatedBus`: several stages in one process that must see each message of a
 * shared input topic one after the other, in a fixed order. In cluster mode the
 * liquidation ladder runs in the risk process and reads the scope state risk keeps;
 * for every fill it must run after risk has settled it. Two separate Kafka consumers
 * on the same topic give no such order, so here every topic gets one subscription
 * (the process's consumer group) and each message goes to the stages' handlers in
 * the order they subscribed.
 *
 * - Registration first: `subscribe` only records the handler; `start()` opens the
 *   inner subscriptions, so no stage misses what another already received. A stage
 *   subscribing after `start()` gets messages from then on.
 * - One group id for all (`groupId`): the stages commit the same offsets, so after a
 *   restart they replay the same suffix and stay consistent with each other.
 *   `fromBeginning` holds if any stage asked for it.
 * - A handler that refuses a message (`RejectedMessageError`) ends its delivery: the
 *   later handlers do not see it, and it goes to the dead-letter topic once.
 * - A handler's promise is awaited before the next handler runs; synchronous
 *   handlers cost no extra tick.
 */
import type { Bus, BusMessage, MessageHandler, SubscribeOptions, Subscription, Topic } from './bus.js';

interface SharedTopic {
  topic: Topic<unknown>;
  handlers: MessageHandler<unknown>[];
  fromBeginning: boolean;
  inner: Subscription | null;
}

export class ColocatedBus implements Bus {
  private readonly topics = new Map<string, SharedTopic>();
  private started = false;

  constructor(
    private readonly inner: Bus,
    /** The consumer group of the process (e.g. the risk shard's name). */
    private readonly groupId: string,
  ) {}

  publish<T>(topic: Topic<T>, value: T): void {
    this.inner.publish(topic, value);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  async subscribe<T>(topic: Topic<T>, options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription> {
    let shared = this.topics.get(topic.name);
    if (shared === undefined) {
      shared = { topic: topic as Topic<unknown>, handlers: [], fromBeginning: false, inner: null };
      this.topics.set(topic.name, shared);
    }
    shared.handlers.push(handler as MessageHandler<unknown>);
    shared.fromBeginning ||= options.fromBeginning ?? false;
    if (this.started && shared.inner === null) await this.open(shared);
    const entry = shared;
    return {
      close: async () => {
        const i = entry.handlers.indexOf(handler as MessageHandler<unknown>);
        if (i >= 0) entry.handlers.splice(i, 1);
        if (entry.handlers.length === 0 && entry.inner !== null) {
          const inner = entry.inner;
          entry.inner = null;
          await inner.close();
        }
      },
    };
  }

  /** Opens one inner subscription per registered topic. */
  async start(): Promise<void> {
    this.started = true;
    for (const shared of this.topics.values()) if (shared.inner === null && shared.handlers.length > 0) await this.open(shared);
  }

  async close(): Promise<void> {
    for (const shared of this.topics.values()) {
      const inner = shared.inner;
      shared.inner = null;
      await inner?.close();
    }
    await this.inner.close();
  }

  private async open(shared: SharedTopic): Promise<void> {
    const handlers = shared.handlers;
    shared.inner = await this.inner.subscribe(shared.topic, { groupId: this.groupId, fromBeginning: shared.fromBeginning }, (message: BusMessage<unknown>) => {
      for (let i = 0; i < handlers.length; i++) {
        const result = handlers[i](message);
        if (result !== undefined) return this.continueAsync(result, handlers, i + 1, message);
      }
      return undefined;
    });
  }

  private async continueAsync(pending: Promise<void>, handlers: readonly MessageHandler<unknown>[], from: number, message: BusMessage<unknown>): Promise<void> {
    await pending;
    for (let i = from; i < handlers.length; i++) await handlers[i](message);
  }
}
