/**
 * The in-process bus against the shared contract (by reference and with every
 * message round-tripped through its codec), plus what only the embedded bus
 * promises: synchronous, breadth-first delivery at the outermost publish.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MatchingEventV1 } from '@perpcore/proto';
import { bookDelta, describeBusContract, testTopic } from './bus-contract.js';
import { InProcessBus } from './in-process-bus.js';

for (const codecRoundTrip of [false, true]) {
  describeBusContract(`in-process${codecRoundTrip ? ' (codec round-trip)' : ''}`, async () => {
    const bus = new InProcessBus({ codecRoundTrip });
    return {
      bus,
      publishRaw: async (topic, key, bytes) => bus.publishRaw(topic, key, bytes),
      deadLetters: async (topic) => bus.deadLetters(topic.name),
      close: () => bus.close(),
    };
  });
}

test('delivery is synchronous at the outermost publish and breadth-first for nested publishes', () => {
  const bus = new InProcessBus();
  const input = testTopic('bfs', 1);
  const output = testTopic('bfs-out', 1);
  const log: string[] = [];
  void bus.subscribe(input, { groupId: 'stage' }, (m) => {
    log.push(`in ${m.value.seq}`);
    bus.publish(output, bookDelta('BTC-USDT', m.value.seq * 10));
    bus.publish(output, bookDelta('BTC-USDT', m.value.seq * 10 + 1));
    log.push(`in ${m.value.seq} done`);
  });
  void bus.subscribe(output, { groupId: 'sink' }, (m) => {
    log.push(`out ${m.value.seq}`);
    if (m.value.seq === 10) bus.publish(input, bookDelta('BTC-USDT', 2));
  });
  bus.publish(input, bookDelta('BTC-USDT', 1));
  assert.deepEqual(log, ['in 1', 'in 1 done', 'out 10', 'out 11', 'in 2', 'in 2 done', 'out 20', 'out 21']);
});

test('values pass by reference unless the codec round-trip is on', async () => {
  for (const codecRoundTrip of [false, true]) {
    const bus = new InProcessBus({ codecRoundTrip });
    const topic = testTopic('ref', 1);
    let received: MatchingEventV1 | undefined;
    await bus.subscribe(topic, { groupId: 'g', fromBeginning: true }, (m) => {
      received = m.value;
    });
    const sent = bookDelta('BTC-USDT', 1);
    bus.publish(topic, sent);
    assert.equal(received === sent, !codecRoundTrip);
    assert.equal(received?.bookDelta?.priceTicks, sent.bookDelta?.priceTicks);
  }
});

test('the codec round-trip rejects a value that cannot go on the wire, at publish', () => {
  const bus = new InProcessBus({ codecRoundTrip: true });
  const topic = testTopic('bad', 1);
  const bad = bookDelta('BTC-USDT', 1);
  bad.bookDelta = { side: 1, priceTicks: 0.5, levelQtyLots: 1 } as MatchingEventV1['bookDelta'];
  assert.throws(() => bus.publish(topic, bad), /PROTO|safe integer/);
  assert.deepEqual(bus.logRange(topic.name, 0), { base: 0, end: 0 }, 'nothing was logged');
});

test('a synchronous handler error reaches the publisher and the message is delivered again on the next drain', async () => {
  const bus = new InProcessBus();
  const topic = testTopic('sync-error', 1);
  const seen: number[] = [];
  let fail = true;
  await bus.subscribe(topic, { groupId: 'g' }, (m) => {
    if (m.value.seq === 1 && fail) {
      fail = false;
      throw new Error('bug');
    }
    seen.push(m.value.seq);
  });
  assert.throws(() => bus.publish(topic, bookDelta('BTC-USDT', 1)), /bug/);
  assert.deepEqual(seen, []);
  bus.publish(topic, bookDelta('BTC-USDT', 2));
  assert.deepEqual(seen, [1, 2]);
});

test('retention trims only what every group has consumed', async () => {
  const bus = new InProcessBus({ retainPerPartition: 10 });
  const topic = testTopic('retain', 1);
  const fast: number[] = [];
  await bus.subscribe(topic, { groupId: 'fast' }, (m) => {
    fast.push(m.value.seq);
  });
  for (let seq = 1; seq <= 25; seq++) bus.publish(topic, bookDelta('BTC-USDT', seq));
  const range = bus.logRange(topic.name, 0);
  assert.equal(range.end, 25);
  assert.ok(range.base > 0 && range.end - range.base >= 10, `kept ${range.base}..${range.end}`);
  assert.equal(fast.length, 25);
});
