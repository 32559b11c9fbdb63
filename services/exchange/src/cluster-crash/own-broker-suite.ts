/**
 * The gate and clean-up every cluster test file shares: such a file runs only where
 * the suite has a Kafka broker (PERPCORE_KAFKA_BROKERS, set by scripts/run-tests.mjs),
 * refuses to skip under CI, and starts a throw-away broker of its own (fresh-broker.ts)
 * that the file's `after` hook stops.
 */
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freshBroker, type UsableBroker } from './fresh-broker.js';

export interface OwnBrokerSuite {
  /** The repository root (deploy/kafka lives under it). */
  root: string;
  /** `false`, or why the file's Kafka tests skip. */
  skip: string | false;
  /** A broker for this file, stopped after its tests; `given` first tries PERPCORE_KAFKA_BROKERS if it holds no message yet. */
  broker(options?: { given?: boolean }): Promise<UsableBroker>;
}

export function ownBrokerSuite(): OwnBrokerSuite {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const given = process.env.PERPCORE_KAFKA_BROKERS?.trim() ?? '';
  const skip = given === '' ? 'PERPCORE_KAFKA_BROKERS is not set (run through scripts/run-tests.mjs)' : false;
  if (skip !== false && process.env.CI) throw new Error(`${skip}, and CI is set: refusing to skip`);
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops) await stop();
  });
  return {
    root,
    skip,
    broker: async (options) => {
      const broker = await freshBroker(root, options?.given === true ? given.split(',') : []);
      stops.push(broker.stop);
      return broker;
    },
  };
}
