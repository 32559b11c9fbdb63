import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OutlierRule, aggregateIndex } from './index-basket.js';

const w = 33_333_333;
const three = [
  { source: 'a', priceSubticks: 3_000_000, weightE8: w },
  { source: 'b', priceSubticks: 3_001_000, weightE8: w },
  { source: 'c', priceSubticks: 3_100_000, weightE8: w },
];

describe('index basket', () => {
  it('drops a source beyond the band around the median (module example)', () => {
    const index = aggregateIndex(three, { outlierRule: OutlierRule.Drop, maxDeviationE8: 1_000_000 });
    assert.equal(index.priceSubticks, 3_000_500);
    assert.deepEqual(index.sources.map((s) => s.used), [true, true, false]);
  });

  it('caps a source to the band edge, rounded toward the median', () => {
    const index = aggregateIndex(three, { outlierRule: OutlierRule.Cap, maxDeviationE8: 1_000_000 });
    // band = floor(3,001,000 × 1%) = 30,010 → cap at 3,031,010; mean of 3,000,000 / 3,001,000 / 3,031,010
    assert.equal(index.sources[2].priceSubticks, 3_031_010);
    assert.equal(index.priceSubticks, 3_010_670);
  });

  it('rounds the weighted mean half to even', () => {
    const index = aggregateIndex(
      [
        { source: 'a', priceSubticks: 11, weightE8: 1 },
        { source: 'b', priceSubticks: 12, weightE8: 1 },
      ],
      { outlierRule: OutlierRule.Drop, maxDeviationE8: 50_000_000 },
    );
    assert.equal(index.priceSubticks, 12); // 11.5 → 12 (even)
  });

  it('refuses no sources, non-positive prices and weights', () => {
    const rule = { outlierRule: OutlierRule.Drop, maxDeviationE8: 1 };
    assert.throws(() => aggregateIndex([], rule), /ORACLE_NO_SOURCES|at least one/);
    assert.throws(() => aggregateIndex([{ source: 'a', priceSubticks: 0, weightE8: 1 }], rule), /priceSubticks/);
    assert.throws(() => aggregateIndex([{ source: 'a', priceSubticks: 1, weightE8: -1 }], rule), /weightE8/);
    assert.throws(() => aggregateIndex([{ source: 'a', priceSubticks: 1.5, weightE8: 1 }], rule), /priceSubticks/);
  });

  it('keeps the index between the smallest and largest used price, and uses the median (property)', () => {
    const source = fc.record({ priceSubticks: fc.integer({ min: 1, max: 2 ** 40 }), weightE8: fc.integer({ min: 1, max: 100_000_000 }) });
    fc.assert(
      fc.property(fc.array(source, { minLength: 1, maxLength: 7 }), fc.integer({ min: 0, max: 50_000_000 }), fc.boolean(), (raw, band, cap) => {
        const prices = raw.map((p, i) => ({ source: `s${i}`, ...p }));
        const index = aggregateIndex(prices, { outlierRule: cap ? OutlierRule.Cap : OutlierRule.Drop, maxDeviationE8: band });
        const used = index.sources.filter((s) => s.used).map((s) => s.priceSubticks);
        assert.ok(used.length >= 1);
        assert.ok(index.priceSubticks >= Math.min(...used) && index.priceSubticks <= Math.max(...used));
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});
