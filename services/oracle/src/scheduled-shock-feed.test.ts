import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexQuote, PriceFeed } from './price-feed.js';
import { ScheduledShockFeed } from './scheduled-shock-feed.js';

const flat: PriceFeed = {
  symbols: ['BTCUSDT', 'ETHUSDT'],
  quoteAt: (symbol): IndexQuote => ({ symbol, priceSubticks: 3_000_000_001, sources: [{ source: 'a', priceSubticks: 3_000_000_001 } as never] }),
};

describe('ScheduledShockFeed', () => {
  it('a shock added while running applies from its time on, to its symbol only, rounded half-even', () => {
    const feed = new ScheduledShockFeed(flat, []);
    assert.equal(feed.quoteAt('BTCUSDT', 5_000)?.priceSubticks, 3_000_000_001);
    feed.add({ symbol: 'BTCUSDT', atTsNs: 5_000, shockE8: -12_000_000 });
    assert.equal(feed.quoteAt('BTCUSDT', 4_999)?.priceSubticks, 3_000_000_001, 'before its time');
    // 3,000,000,001 × 0.88 = 2,640,000,000.88 → 2,640,000,001
    assert.equal(feed.quoteAt('BTCUSDT', 5_000)?.priceSubticks, 2_640_000_001);
    assert.equal(feed.quoteAt('BTCUSDT', 5_000)?.sources[0]?.priceSubticks, 2_640_000_001);
    assert.equal(feed.quoteAt('ETHUSDT', 9_999)?.priceSubticks, 3_000_000_001, 'another symbol');
  });

  it('refuses a shock of −100% or more, or without a finite time, and keeps the ones it had', () => {
    const feed = new ScheduledShockFeed(flat, [{ symbol: 'BTCUSDT', atTsNs: 1, shockE8: 10_000_000 }]);
    assert.throws(() => feed.add({ symbol: 'BTCUSDT', atTsNs: 1, shockE8: -100_000_000 }), /shockE8 must be in/);
    assert.throws(() => feed.add({ symbol: 'BTCUSDT', atTsNs: Number.NaN, shockE8: -1 }), /atTsNs must be a finite time/);
    assert.equal(feed.quoteAt('BTCUSDT', 1)?.priceSubticks, 3_300_000_001);
  });
});
