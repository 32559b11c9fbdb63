/**
 * Property: the oracle exported at a random point of a random publishing schedule
 * (a seeded simulated feed with jumps, noise and outliers, behind a scheduled shock)
 * and imported into a fresh publisher over a feed of the same configuration
 * continues with exactly the same events (sequences, prices, sources); the imported
 * publisher exports the same bytes; bytes of another configuration are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { OracleEventV1 } from '@perpcore/proto';
import { IndexPricePublisher } from './index-price-publisher.js';
import { ScheduledShockFeed } from './scheduled-shock-feed.js';
import { SimulatedIndexFeed, type SimulatedIndexConfig } from './simulated-index-feed.js';

const T0 = 1_700_000_000_000_000_000;
const SECOND = 1_000_000_000;
const config: SimulatedIndexConfig = {
  seed: 42,
  startTsNs: T0,
  symbols: [
    { symbol: 'BTCUSDT', startPriceSubticks: 3_000_000_00, volatilityE8: 20_000, jumpChanceE8: 1_000_000, jumpSizeE8: 2_000_000, sourceNoiseE8: 5_000, outlierChanceE8: 2_000_000, outlierSizeE8: 5_000_000 },
    { symbol: 'ETHUSDT', startPriceSubticks: 200_000_00, volatilityE8: 30_000, jumpChanceE8: 0, jumpSizeE8: 0 },
  ],
};

function oracle(events: OracleEventV1[], seed = config.seed): IndexPricePublisher {
  const feed = new ScheduledShockFeed(new SimulatedIndexFeed({ ...config, seed }), [{ symbol: 'BTCUSDT', atTsNs: T0 + 40 * SECOND, shockE8: -12_000_000 }]);
  return new IndexPricePublisher({ feed, source: 'oracle-0', publish: (e) => void events.push(structuredClone(e)) });
}

describe('oracle exportState / importState (property)', () => {
  it('an imported oracle continues the same series', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 60 }), fc.nat(60), (gapsS, cutAt) => {
        const cut = Math.min(cutAt, gapsS.length - 1);
        const eventsA: OracleEventV1[] = [];
        const a = oracle(eventsA);
        let ts = T0;
        for (const gap of gapsS.slice(0, cut)) a.publishAt((ts += gap * SECOND));
        const bytes = a.exportState();
        const eventsB: OracleEventV1[] = [];
        const b = oracle(eventsB);
        b.importState(bytes);
        assert.deepEqual(b.exportState(), bytes);
        eventsA.length = 0;
        for (const gap of gapsS.slice(cut)) {
          ts += gap * SECOND;
          a.publishAt(ts);
          b.publishAt(ts);
        }
        assert.deepEqual(eventsB, eventsA);
        assert.ok(eventsA.length > 0);
      }),
      { seed: 11, numRuns: 80 },
    );
  });

  it('refuses bytes that do not fit and garbage, changing nothing', () => {
    const a = oracle([]);
    a.publishAt(T0 + SECOND);
    const bytes = a.exportState();
    const other = new IndexPricePublisher({ feed: new SimulatedIndexFeed({ ...config, symbols: config.symbols.slice(0, 1) }), source: 'oracle-0', publish: () => undefined });
    const before = other.exportState();
    assert.throws(() => other.importState(bytes), /snapshot does not fit/);
    assert.throws(() => other.importState(new Uint8Array([99])), /state bytes/);
    assert.deepEqual(other.exportState(), before);
  });
});
