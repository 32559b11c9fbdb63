import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bookDelta, testTopic } from './bus-contract.js';
import { InProcessBus } from './in-process-bus.js';
import { guardInputs, topicGuard } from './input-guard.js';

test('a guarded topic refuses to the DLQ before the handler; other topics and publishing pass through', async () => {
  const inner = new InProcessBus({ codecRoundTrip: true });
  const guarded = testTopic('guarded', 2);
  const open = testTopic('open', 1);
  const bus = guardInputs(inner, [
    topicGuard(guarded, (e) => (e.market === 'BTC-USDT' ? null : { code: 'TEST_UNKNOWN_MARKET', message: `market ${e.market} is not listed` })),
  ]);
  const applied: string[] = [];
  await bus.subscribe(guarded, { groupId: 'stage', fromBeginning: true }, (m) => void applied.push(`${m.value.market} ${m.value.seq}`));
  await bus.subscribe(open, { groupId: 'stage', fromBeginning: true }, (m) => void applied.push(`open ${m.value.market} ${m.value.seq}`));
  bus.publish(guarded, bookDelta('BTC-USDT', 1));
  bus.publish(guarded, bookDelta('DOGE-USDT', 2));
  bus.publish(guarded, bookDelta('BTC-USDT', 3));
  bus.publish(open, bookDelta('DOGE-USDT', 4));
  await bus.flush();
  assert.deepEqual(applied, ['BTC-USDT 1', 'BTC-USDT 3', 'open DOGE-USDT 4'], 'the refused message was never applied; the consumer went on');
  const letters = inner.deadLetters(guarded.name);
  assert.equal(letters.length, 1);
  assert.equal(letters[0].code, 'TEST_UNKNOWN_MARKET');
  assert.equal(letters[0].key, 'DOGE-USDT');
  assert.equal(letters[0].groupId, 'stage');
  assert.match(letters[0].reason, /DOGE-USDT is not listed/);
  assert.equal(inner.deadLetters(open.name).length, 0);
  await bus.close();
});
