/**
 * The Kafka bus against the shared contract on a real broker, plus what only it
 * has: start-up against an unreachable broker, topic partition checks.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { createLogger } from '@perpcore/observability';
import { matchingEventCodec } from '@perpcore/proto';
import { Kafka, logLevel } from 'kafkajs';
import { bookDelta, describeBusContract, waitFor } from './bus-contract.js';
import { BusConnectError } from './kafka-connect.js';
import { KafkaBus } from './kafka-bus.js';
import { kafkaTestEnv, testLogger } from './kafka-test-env.test-support.js';
import { defineTopic } from './topic.js';

const env = kafkaTestEnv('kafka-bus');

const connect = () =>
  KafkaBus.connect({
    brokers: env.brokers,
    clientId: 'bus-contract',
    logger: testLogger(),
    connectTimeoutMs: 30_000,
    consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
  });

describeBusContract(
  'kafka',
  async () => {
    const bus = await connect();
    return {
      bus,
      publishRaw: async (topic, key, bytes) => {
        bus.publishRaw(topic, key, bytes);
        await bus.flush();
      },
      deadLetters: (topic) => bus.deadLetters(topic.name),
      close: () => bus.close(),
    };
  },
  { timeoutMs: 30_000, skip: env.skip },
);

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('KafkaBus start-up and topics', { skip: env.skip }, () => {
  test('an unreachable broker is retried with backoff, then reported once with the broker named', async () => {
    const port = await closedPort();
    const lines: { msg: string; retryInMs?: number }[] = [];
    const logger = createLogger('bus-test', 'warn', { destination: { write: (l: string) => lines.push(JSON.parse(l)) } });
    const started = Date.now();
    await assert.rejects(
      KafkaBus.connect({ brokers: [`127.0.0.1:${port}`], clientId: 'unreachable', logger, connectTimeoutMs: 2_000 }),
      (error: unknown) => error instanceof BusConnectError && error.code === 'BUS_BROKER_UNREACHABLE' && error.message.includes(`127.0.0.1:${port}`),
    );
    assert.ok(Date.now() - started < 20_000, 'gave up instead of looping');
    const retries = lines.filter((l) => l.msg.includes('unreachable; retrying'));
    assert.ok(retries.length >= 2, `retried ${retries.length} times`);
    assert.ok((retries[1].retryInMs ?? 0) > (retries[0].retryInMs ?? 0), 'the backoff grows');
  });

  test('a burst far beyond one request\'s size is split into batches and arrives whole, in order', async () => {
    const bus = await connect();
    try {
      const topic = defineTopic(`contract.burst-${process.pid}-${Date.now()}.v1`, 1, matchingEventCodec, (e) => e.market);
      const total = 30_000; // ~2.4 MB of values: over the broker's 1 MiB batch limit if sent as one
      assert.equal(bus.sendIdle, true, 'nothing published yet');
      for (let seq = 1; seq <= total; seq++) bus.publish(topic, bookDelta('BTC-USDT', seq));
      assert.equal(bus.sendIdle, false, 'a drain asking now must wait: the burst is queued, not on the broker');
      await bus.flush();
      assert.equal(bus.sendIdle, true, 'flushed: everything is on the broker');
      const seqs: number[] = [];
      const sub = await bus.subscribe(topic, { groupId: `burst-${process.pid}`, fromBeginning: true }, (m) => {
        seqs.push(m.value.seq);
      });
      await waitFor('the burst', () => seqs.length >= total, 60_000);
      await sub.close();
      assert.equal(seqs.length, total);
      assert.ok(seqs.every((seq, i) => seq === i + 1));
    } finally {
      await bus.close();
    }
  });

  test('end offsets of topics another process is creating right now: answered once their leaders are up (kafkajs fails such a read outright)', async () => {
    // a cluster start: the stages create their topics while a gateway's replay asks for
    // those topics' end offsets; kafkajs answers a partition without its leader yet with
    // NOT_LEADER (or, asked concurrently, a TypeError) instead of asking again
    const other = new Kafka({ clientId: 'other-process', brokers: [...env.brokers], logLevel: logLevel.NOTHING }).admin();
    await other.connect();
    const reader = await connect();
    try {
      for (let round = 0; round < 6; round++) {
        const topics = Array.from({ length: 4 }, (_, i) => defineTopic(`contract.ends-${round}-${i}-${process.pid}-${Date.now()}.v1`, 4, matchingEventCodec, (e) => e.market));
        const created = other.createTopics({ topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions })), waitForLeaders: false });
        await created;
        const ends = await Promise.all(topics.map((t) => reader.endOffsets(t)));
        for (const end of ends) assert.deepEqual([...end], [], 'a new topic holds nothing');
      }
      const topic = defineTopic(`contract.ends-held-${process.pid}-${Date.now()}.v1`, 2, matchingEventCodec, (e) => e.market);
      await reader.ensureTopic(topic.name, topic.partitions);
      for (let seq = 1; seq <= 3; seq++) reader.publish(topic, bookDelta('BTC-USDT', seq));
      await reader.flush();
      const end = await reader.endOffsets(topic);
      assert.equal(end.size, 1, 'one partition holds records');
      assert.equal([...end.values()][0], 1, 'three envelopes framed into one record');
    } finally {
      await reader.close();
      await other.disconnect();
    }
  });

  test('one send frames a partition\'s envelopes into one record; a failure mid-frame redelivers only from the failed envelope', async () => {
    const bus = await connect();
    try {
      const topic = defineTopic(`contract.frame-${process.pid}-${Date.now()}.v1`, 1, matchingEventCodec, (e) => e.market);
      await bus.ensureTopic(topic.name, topic.partitions);
      for (let seq = 1; seq <= 5; seq++) bus.publish(topic, bookDelta('BTC-USDT', seq));
      await bus.flush();
      assert.deepEqual(bus.traffic()[topic.name], { records: 1, envelopes: 5, bytes: bus.traffic()[topic.name].bytes }, 'five envelopes, one Kafka record');
      const calls: number[] = [];
      const offsets = new Set<number>();
      let failOnce = true;
      const sub = await bus.subscribe(topic, { groupId: `frame-${process.pid}`, fromBeginning: true }, (m) => {
        calls.push(m.value.seq);
        offsets.add(m.offset);
        if (m.value.seq === 3 && failOnce) {
          failOnce = false;
          throw new Error('handler bug, once');
        }
      });
      await waitFor('every envelope', () => calls.includes(5), 60_000);
      await sub.close();
      // kafkajs redelivers the whole record; the frame's producer sequence skips 1 and 2
      assert.deepEqual(calls, [1, 2, 3, 3, 4, 5]);
      assert.equal(offsets.size, 1, 'the five share their record\'s offset');
    } finally {
      await bus.close();
    }
  });

  test('two buses with the same client id on one partition: every envelope of both is delivered (frame sequences never mix)', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    try {
      const topic = defineTopic(`contract.two-producers-${process.pid}-${Date.now()}.v1`, 1, matchingEventCodec, (e) => e.market);
      await a.ensureTopic(topic.name, topic.partitions);
      for (let seq = 1; seq <= 5; seq++) a.publish(topic, bookDelta('BTC-USDT', seq));
      await a.flush();
      for (let seq = 1; seq <= 3; seq++) b.publish(topic, bookDelta('ETH-USDT', seq)); // frame sequences 1..3 again, from another producer
      await b.flush();
      const seen: string[] = [];
      const sub = await a.subscribe(topic, { groupId: `two-producers-${process.pid}`, fromBeginning: true }, (m) => {
        seen.push(`${m.value.market}:${m.value.seq}`);
      });
      await waitFor('both producers', () => seen.length >= 8, 60_000);
      await sub.close();
      assert.deepEqual(seen, ['BTC-USDT:1', 'BTC-USDT:2', 'BTC-USDT:3', 'BTC-USDT:4', 'BTC-USDT:5', 'ETH-USDT:1', 'ETH-USDT:2', 'ETH-USDT:3']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a topic that exists with another partition count is refused', async () => {
    const bus = await connect();
    try {
      const name = `contract.partitions-${process.pid}-${Date.now()}.v1`;
      await bus.ensureTopic(name, 2);
      const mismatched = defineTopic(name, 3, matchingEventCodec, (e) => e.market);
      const fresh = await connect();
      try {
        await assert.rejects(fresh.subscribe(mismatched, { groupId: 'g' }, () => undefined), /has 2 partitions on the broker but the code expects 3/);
      } finally {
        await fresh.close();
      }
    } finally {
      await bus.close();
    }
  });
});
