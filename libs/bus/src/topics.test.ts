import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MatchingCommandV1 } from '@perpcore/proto';
import { defineTopic, withPartitions } from './topic.js';
import { Topics, commandAccountId } from './topics.js';

test('every catalogue topic is named <domain>.<event>.v1 and has a DLQ-able name', () => {
  for (const topic of Object.values(Topics)) {
    assert.match(topic.name, /^[a-z]+\.[a-z-]+\.v1$/);
    assert.ok(topic.partitions >= 1);
  }
  assert.equal(new Set(Object.values(Topics).map((t) => t.name)).size, Object.keys(Topics).length, 'names are unique');
});

test('order commands are keyed by account into risk and by market into matching', () => {
  const cancel: MatchingCommandV1 = {
    schemaMajor: 1, market: 'ETH-USDT', seq: 1, tsNs: 0, source: 'gateway-0', command: 'cancel', cancel: { orderId: 9, accountId: 77 },
  };
  assert.equal(commandAccountId(cancel), 77);
  assert.equal(Topics.gatewayOrderCommands.key(cancel), '77');
  assert.equal(Topics.matchingCommands.key(cancel), 'ETH-USDT');
});

test('liquidation events are keyed by account, ADL indicators (no account) by market', () => {
  const base = { schemaMajor: 1, seq: 1, tsNs: 0, source: 'liquidation-0', liquidationId: 0, scope: null, market: 'BTC-USDT' };
  const aborted = { ...base, accountId: 5, event: 'aborted' as const, aborted: { levelE8: 1, reason: 'x' } };
  const adl = { ...base, accountId: 0, event: 'adlIndicator' as const, adlIndicator: { entries: [] } };
  assert.equal(Topics.liquidationEvents.key(aborted as never), '5');
  assert.equal(Topics.liquidationEvents.key(adl as never), 'BTC-USDT');
});

test('a badly named topic or partition count is refused at definition', () => {
  const codec = Topics.matchingEvents.codec;
  assert.throws(() => defineTopic('MatchingEvents', 1, codec, (e) => e.market), /<domain>\.<event>\.v<major>/);
  assert.throws(() => defineTopic('matching.events.v0', 1, codec, (e) => e.market), /<domain>/);
  assert.throws(() => defineTopic('matching.events.v1', 0, codec, (e) => e.market), /partitions/);
  assert.equal(withPartitions(Topics.matchingEvents, 16).partitions, 16);
});
