/**
 * Recovery offsets on a real broker: a group's committed offsets read back, and a
 * subscription with `startOffsets` consuming again from behind what the group
 * committed (what a stage restored from a snapshot does), on the listed partition
 * only. Offsets count Kafka records: each envelope is flushed as its own record here,
 * so offset k is seq k + 1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchingEventCodec } from '@perpcore/proto';
import { bookDelta, waitFor } from './bus-contract.js';
import { KafkaBus } from './kafka-bus.js';
import { kafkaTestEnv, testLogger } from './kafka-test-env.test-support.js';
import { defineTopic } from './topic.js';

const env = kafkaTestEnv('kafka-offsets');

describe('KafkaBus recovery offsets', { skip: env.skip }, () => {
  test('committed offsets read back; startOffsets replays from behind them', async () => {
    const run = `${process.pid}x${Date.now() % 1_000_000}`;
    const topic = defineTopic(`test.offsets-${run}.v1`, 1, matchingEventCodec, (e) => e.market);
    const bus = await KafkaBus.connect({ brokers: env.brokers, clientId: 'offsets-test', logger: testLogger(), connectTimeoutMs: 30_000, consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 } });
    try {
      assert.deepEqual(await bus.committedOffsets('g', topic.name).catch(() => ({})), {}, 'nothing committed before the group consumed');
      const first: number[] = [];
      const sub = await bus.subscribe(topic, { groupId: 'g', fromBeginning: true }, (m) => void first.push(m.value.seq));
      // one record each (the bus frames what is published between sends into one record)
      for (let seq = 1; seq <= 10; seq++) {
        bus.publish(topic, bookDelta('BTCUSDT', seq));
        await bus.flush();
      }
      await waitFor('the first ten', () => first.length === 10, 30_000);
      let committed: Record<number, number> = {};
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        committed = await bus.committedOffsets('g', topic.name);
        if (committed[0] === 10) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(committed, { 0: 10 });
      await sub.close();
      const again: number[] = [];
      const replay = await bus.subscribe(topic, { groupId: 'g', fromBeginning: true, startOffsets: { 0: 4 } }, (m) => void again.push(m.value.seq));
      await waitFor('the replayed tail', () => again.length >= 6, 30_000);
      assert.deepEqual(again, [5, 6, 7, 8, 9, 10], 'offsets 4..9 again: seq 5..10');
      await replay.close();
    } finally {
      await bus.close();
    }
  });
});
