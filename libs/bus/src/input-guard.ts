/**
 * `guardInputs(bus, guards)`: a `Bus` whose subscriptions refuse, before the handler
 * sees them, well-formed messages that a composition root knows its stage can never
 * apply (e.g. a market the shard does not list). A refused message goes to the
 * topic's dead-letter topic with the guard's code (through `RejectedMessageError`,
 * so both adapters handle it as any refusal: logged with its offset, nothing applied,
 * the consumer moves on). Publishing and everything else pass straight through.
 *
 * Guards are keyed by topic name; topics without a guard are subscribed unchanged.
 *
 * Example: `guardInputs(kafkaBus, [topicGuard(Topics.gatewayOrderCommands,
 *   (c) => listed.has(c.market) ? null : { code: 'RISK_UNKNOWN_MARKET', message: … })])`
 */
import { type Bus, type MessageHandler, RejectedMessageError, type SubscribeOptions, type Subscription, type Topic } from './bus.js';

export interface InputRefusal {
  /** Stage-prefixed reject code, e.g. RISK_UNKNOWN_MARKET. */
  readonly code: string;
  readonly message: string;
}

/** Null: the message may go to the handler. */
export type InputGuard<T> = (value: T) => InputRefusal | null;

/** A guard bound to its topic (typed together, so the guard sees the topic's value type). */
export interface TopicGuard {
  readonly topicName: string;
  readonly check: (value: unknown) => InputRefusal | null;
}

export function topicGuard<T>(topic: Topic<T>, guard: InputGuard<T>): TopicGuard {
  return { topicName: topic.name, check: guard as (value: unknown) => InputRefusal | null };
}

export function guardInputs(inner: Bus, guards: readonly TopicGuard[]): Bus {
  const byTopic = new Map(guards.map((g) => [g.topicName, g.check]));
  return {
    publish: (topic, value) => inner.publish(topic, value),
    flush: () => inner.flush(),
    close: () => inner.close(),
    subscribe<T>(topic: Topic<T>, options: SubscribeOptions, handler: MessageHandler<T>): Promise<Subscription> {
      const check = byTopic.get(topic.name);
      if (check === undefined) return inner.subscribe(topic, options, handler);
      return inner.subscribe(topic, options, (message) => {
        const refusal = check(message.value);
        if (refusal !== null) throw new RejectedMessageError(refusal.code, refusal.message);
        return handler(message);
      });
    },
  };
}
