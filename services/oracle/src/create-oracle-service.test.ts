import assert from 'node:assert/strict';
import { it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import type { OracleEventV1 } from '@perpcore/proto';
import { createOracleService } from './create-oracle-service.js';
import { SimulatedIndexFeed } from './simulated-index-feed.js';

it('publishes every symbol’s index on oracle.index-prices.v1, keyed by symbol, wire-valid', async () => {
  const bus = new InProcessBus({ codecRoundTrip: true });
  const seen: { key: string; value: OracleEventV1 }[] = [];
  await bus.subscribe(Topics.oracleIndexPrices, { groupId: 'probe', fromBeginning: true }, (m) => void seen.push({ key: m.key, value: m.value }));
  const feed = new SimulatedIndexFeed({ seed: 1, startTsNs: 0, symbols: [{ symbol: 'BTCUSDT', startPriceSubticks: 30_000_000, volatilityE8: 10_000, jumpChanceE8: 0, jumpSizeE8: 0 }, { symbol: 'ETHUSDT', startPriceSubticks: 2_000_000, volatilityE8: 10_000, jumpChanceE8: 0, jumpSizeE8: 0 }] });
  const oracle = createOracleService({ bus, feed, logger: createLogger('oracle-test', 'silent') });
  assert.equal(oracle.publishAt(5_000_000_000), 2);
  await bus.flush();
  assert.deepEqual(seen.map((s) => [s.key, s.value.seq, s.value.source]), [['BTCUSDT', 1, 'oracle-0'], ['ETHUSDT', 1, 'oracle-0']]);
  assert.equal(seen[0].value.indexPrice?.priceSubticks, feed.quoteAt('BTCUSDT', 5_000_000_000)?.priceSubticks);
});
