/**
 * `defineTopic`: the checked constructor of a `Topic`. A name that does not read
 * `<domain>.<event>.v<major>` or a partition count that is not a positive integer
 * is a configuration bug caught at start-up, not on the first message.
 */
import type { Topic, TopicCodec } from './bus.js';

const TOPIC_NAME = /^[a-z]+\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

export function defineTopic<T>(name: string, partitions: number, codec: TopicCodec<T>, key: (value: T) => string): Topic<T> {
  if (!TOPIC_NAME.test(name)) throw new Error(`topic name must read <domain>.<event>.v<major> (e.g. matching.events.v1), got ${JSON.stringify(name)}`);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new Error(`topic ${name}: partitions must be an integer in 1..10000, got ${partitions}`);
  }
  return { name, partitions, codec, key };
}

/** The same topic with another partition count (cluster sizing); keys then map to other partitions. */
export function withPartitions<T>(topic: Topic<T>, partitions: number): Topic<T> {
  return defineTopic(topic.name, partitions, topic.codec, topic.key);
}
