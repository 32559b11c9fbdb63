import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OrderType, Side } from '@perpcore/domain';
import { bandLimitTicks, triggerHolds } from './book-rules.js';

describe('bandLimitTicks: the market-order band rounds toward the reference', () => {
  it('buy = floor(ref × (1e8 + band) / 1e8), sell = ceil(ref × (1e8 − band) / 1e8), exactly (bigint model)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 99_999_999 }), (ref, band) => {
        const up = BigInt(ref) * BigInt(1e8 + band);
        const down = BigInt(ref) * BigInt(1e8 - band);
        const floorUp = up / 100_000_000n;
        const ceilDown = (down + 99_999_999n) / 100_000_000n;
        assert.equal(bandLimitTicks(Side.Buy, ref, band), Number(floorUp));
        assert.equal(bandLimitTicks(Side.Sell, ref, band), Number(ceilDown));
      }),
      { seed: 9, numRuns: 500 },
    );
  });

  it('pins the worked example and the exact case', () => {
    assert.equal(bandLimitTicks(Side.Buy, 10_005, 1_000_000), 10_105); // 10_105.05 → down
    assert.equal(bandLimitTicks(Side.Sell, 10_005, 1_000_000), 9_905); // 9_904.95 → up
    assert.equal(bandLimitTicks(Side.Buy, 10_000, 1_000_000), 10_100); // exact: no rounding
    assert.equal(bandLimitTicks(Side.Sell, 1, 99_999_999), 1); // never below one tick
  });
});

describe('triggerHolds', () => {
  const cases: Array<[OrderType, Side, number, number, boolean]> = [
    [OrderType.StopMarket, Side.Buy, 100, 100, true],
    [OrderType.StopLimit, Side.Buy, 100, 99, false],
    [OrderType.StopMarket, Side.Sell, 100, 100, true],
    [OrderType.StopLimit, Side.Sell, 100, 101, false],
    [OrderType.TakeProfitMarket, Side.Buy, 100, 100, true],
    [OrderType.TakeProfitLimit, Side.Buy, 100, 101, false],
    [OrderType.TakeProfitMarket, Side.Sell, 100, 100, true],
    [OrderType.TakeProfitLimit, Side.Sell, 100, 99, false],
    [OrderType.StopMarket, Side.Sell, 100, 0, false], // no price yet never triggers
  ];
  for (const [type, side, trigger, price, holds] of cases) {
    it(`type ${type} side ${side} trigger ${trigger} at ${price} → ${holds}`, () => {
      assert.equal(triggerHolds(type, side, trigger, price), holds);
    });
  }
});
