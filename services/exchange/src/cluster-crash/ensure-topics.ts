/**
 * Creates every topic and its dead-letter topic before any stage subscribes: a stage
 * racing the broker to create one can find it unknown. Retries while the broker is
 * still settling its metadata.
 */
import { type KafkaBus, Topics } from '@perpcore/bus';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function ensureTopics(bus: KafkaBus): Promise<void> {
  for (const topic of Object.values(Topics)) {
    for (const [name, partitions] of [[topic.name, topic.partitions], [`${topic.name}.dlq`, 1]] as const) {
      for (let attempt = 1; ; attempt++) {
        try {
          await bus.ensureTopic(name, partitions);
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await sleep(500);
        }
      }
    }
  }
}
