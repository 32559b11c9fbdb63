/**
 * A broker the cluster crash test can use: the given one if none of the stages'
 * topics holds a message yet, else a throw-away broker of its own
 * (deploy/kafka/kafka-broker.mjs `startBrokerForTests`: free ports, a temp
 * directory, stopped by `stop`). The stages read their topics from the beginning,
 * so another run's messages would be theirs too.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Topics } from '@perpcore/bus';
import { Kafka, logLevel } from 'kafkajs';

export interface UsableBroker {
  brokers: string[];
  /** Stops a broker this module started (nothing for a given one). */
  stop: () => Promise<void>;
  own: boolean;
}

async function holdsMessages(brokers: readonly string[]): Promise<boolean> {
  const admin = new Kafka({ clientId: `crash-fresh-${process.pid}`, brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of Object.values(Topics)) {
      if (!existing.has(topic.name)) continue;
      if ((await admin.fetchTopicOffsets(topic.name)).some((p) => Number(p.high) > 0)) return true;
    }
    return false;
  } finally {
    await admin.disconnect();
  }
}

export async function freshBroker(root: string, given: readonly string[]): Promise<UsableBroker> {
  if (given.length > 0 && given[0] !== '' && !(await holdsMessages(given))) return { brokers: [...given], stop: async () => undefined, own: false };
  const module = (await import(pathToFileURL(join(root, 'deploy', 'kafka', 'kafka-broker.mjs')).href)) as { startBrokerForTests(): Promise<{ bootstrap: string; stop(): Promise<void> } | null> };
  const broker = await module.startBrokerForTests();
  if (broker === null) throw new Error('cannot start a Kafka broker (Java 17 and Maven are needed, see deploy/kafka/README.md)');
  return { brokers: [broker.bootstrap], stop: () => broker.stop(), own: true };
}
