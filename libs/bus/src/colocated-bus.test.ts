import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RejectedMessageError } from './bus.js';
import { bookDelta, testTopic } from './bus-contract.js';
import { ColocatedBus } from './colocated-bus.js';
import { InProcessBus } from './in-process-bus.js';

test('stages sharing a topic see each message in subscription order, the later one after the earlier applied it', async () => {
  const inner = new InProcessBus({ codecRoundTrip: true });
  const fills = testTopic('colocated-fills', 2);
  const bus = new ColocatedBus(inner, 'risk-0');
  const settled = new Map<string, number>();
  const seenByLadder: string[] = [];
  await bus.subscribe(fills, { groupId: 'risk-0', fromBeginning: true }, (m) => void settled.set(m.value.market, m.value.seq));
  await bus.subscribe(fills, { groupId: 'liquidation' }, async (m) => {
    const line = `${m.value.market} ${m.value.seq} settled=${settled.get(m.value.market)}`; // the message is valid during the call only
    await Promise.resolve();
    seenByLadder.push(line);
  });
  bus.publish(fills, bookDelta('BTC-USDT', 1)); // before start: kept for both stages (fromBeginning)
  await bus.start();
  bus.publish(fills, bookDelta('ETH-USDT', 2));
  bus.publish(fills, bookDelta('BTC-USDT', 3));
  await bus.flush();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seenByLadder, ['BTC-USDT 1 settled=1', 'ETH-USDT 2 settled=2', 'BTC-USDT 3 settled=3']);
  await bus.close();
});

test('a refusal ends the delivery: later stages never see the message, it is dead-lettered once', async () => {
  const inner = new InProcessBus({ codecRoundTrip: true });
  const topic = testTopic('colocated-refusal', 1);
  const bus = new ColocatedBus(inner, 'risk-0');
  const later: number[] = [];
  await bus.subscribe(topic, { groupId: 'risk-0', fromBeginning: true }, (m) => {
    if (m.value.market !== 'BTC-USDT') throw new RejectedMessageError('RISK_UNKNOWN_MARKET', `${m.value.market} is not listed`);
  });
  await bus.subscribe(topic, { groupId: 'liquidation', fromBeginning: true }, (m) => void later.push(m.value.seq));
  await bus.start();
  bus.publish(topic, bookDelta('BTC-USDT', 1));
  bus.publish(topic, bookDelta('DOGE-USDT', 2));
  bus.publish(topic, bookDelta('BTC-USDT', 3));
  await bus.flush();
  assert.deepEqual(later, [1, 3]);
  const letters = inner.deadLetters(topic.name);
  assert.deepEqual(letters.map((l) => [l.code, l.groupId, l.offset]), [['RISK_UNKNOWN_MARKET', 'risk-0', 1]]);
  await bus.close();
});

test('nothing is delivered before start; a closed stage stops receiving', async () => {
  const inner = new InProcessBus();
  const topic = testTopic('colocated-start', 1);
  const bus = new ColocatedBus(inner, 'p');
  const a: number[] = [];
  const b: number[] = [];
  const subA = await bus.subscribe(topic, { groupId: 'a' }, (m) => void a.push(m.value.seq));
  await bus.subscribe(topic, { groupId: 'b' }, (m) => void b.push(m.value.seq));
  bus.publish(topic, bookDelta('BTC-USDT', 1));
  assert.deepEqual([a, b], [[], []], 'not started: no delivery (and the group starts at the end without fromBeginning)');
  await bus.start();
  bus.publish(topic, bookDelta('BTC-USDT', 2));
  await subA.close();
  bus.publish(topic, bookDelta('BTC-USDT', 3));
  await bus.flush();
  assert.deepEqual(a, [2]);
  assert.deepEqual(b, [2, 3]);
  await bus.close();
});
