/**
 * A query whose first ask goes unanswered (in cluster mode: a reply published before
 * the gateway's replies consumer found its start, or a query before the shard's
 * queries consumer did) is asked again with the same seq until answered; the first
 * reply resolves it and later ones find nothing pending.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { answerCandidatesQuery } from '../account-query-responder.js';
import { KafkaExchangeClient } from './kafka-exchange-client.js';

describe('KafkaExchangeClient queries', () => {
  it('asks a query again until a reply comes, and takes the first', async () => {
    const bus = new InProcessBus();
    const asks = new Map<number, number>();
    await bus.subscribe(Topics.gatewayQueries, { groupId: 'deaf-once' }, (m) => {
      const seq = Number(m.value.seq);
      asks.set(seq, (asks.get(seq) ?? 0) + 1);
      // the first ask is lost; the second and any later one answered
      if ((asks.get(seq) ?? 0) >= 2) bus.publish(Topics.gatewayQueryReplies, answerCandidatesQuery(m.value, 'risk-q', { accountReport: () => null, adlBucket: () => undefined, halted: () => '', nowNs: () => 1 }));
    });
    const client = await KafkaExchangeClient.create({ bus, venue: defaultVenueMarkets(defaultMarketSpecs), source: 'reask-test', timeoutMs: 5_000, nowNs: () => 1 });
    try {
      const started = Date.now();
      assert.deepEqual(await client.liquidationCandidates(), []);
      assert.deepEqual([...asks.values()], [2], 'asked twice, answered once it was heard');
      assert.ok(Date.now() - started < 4_000, 'well before the timeout');
      await new Promise((r) => setTimeout(r, 1_200));
      assert.deepEqual([...asks.values()], [2], 'no ask after the answer');
    } finally {
      await client.close();
    }
  });
});
