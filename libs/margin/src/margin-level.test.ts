import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { availableForOrdersUnits, isolatedRemovableUnits, withdrawableUnits } from './availability.js';
import { clearanceFeeUnits, compareLiquidationPriority, liquidationStepLots } from './liquidation-step.js';
import { classifyMarginLevel, crossScopeLevels, distanceToLevelUnits, isAtOrBelowTakeoverLevel, marginLevelE8, scopeLevelsOf } from './margin-level.js';
import { btcParams, ethParams, markSubticks, units } from './venue-fixtures.js';

const btc = btcParams();
const levels = scopeLevelsOf(btc);

describe('margin level and state (RISK-SPEC §3.4, §6)', () => {
  it('classifies at the exact thresholds: ML ≤ 1.25 CALLED, ML ≤ 1.00 LIQUIDATING', () => {
    assert.equal(classifyMarginLevel(1_251, 1_000, levels), 'HEALTHY');
    assert.equal(classifyMarginLevel(1_250, 1_000, levels), 'CALLED');
    assert.equal(classifyMarginLevel(1_001, 1_000, levels), 'CALLED');
    assert.equal(classifyMarginLevel(1_000, 1_000, levels), 'LIQUIDATING');
    assert.equal(classifyMarginLevel(-5, 1_000, levels), 'LIQUIDATING');
    assert.equal(classifyMarginLevel(-5, 0, levels), 'HEALTHY'); // basis 0 cannot breach
  });

  it('decides by cross-multiplication where float division would be wrong', () => {
    // E / basis is above 1.25 by 0.25 / basis ≈ 3.6e-17, under half an ulp: float division says exactly 1.25
    const basis = 7_000_000_000_000_003;
    const e = 8_750_000_000_000_004;
    assert.equal(e / basis, 1.25);
    assert.equal(classifyMarginLevel(e, basis, levels), 'HEALTHY');
    assert.equal(classifyMarginLevel(e - 1, basis, levels), 'CALLED');
    assert.equal(classifyMarginLevel(basis + 1, basis, levels), 'CALLED');
    assert.equal(classifyMarginLevel(basis, basis, levels), 'LIQUIDATING');
  });

  it('property: the state equals the bigint cross-multiplication', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (e, b) => {
        const state = classifyMarginLevel(e, b, levels);
        const l = BigInt(e) * 100_000_000n;
        const expected = b === 0 ? 'HEALTHY' : l <= 100_000_000n * BigInt(b) ? 'LIQUIDATING' : l <= 125_000_000n * BigInt(b) ? 'CALLED' : 'HEALTHY';
        assert.equal(state, expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: near-ties (E = level × basis ± 1) decide exactly through the float screen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 * 10 ** 15 }), fc.integer({ min: -2, max: 2 }), fc.constantFrom(100_000_000, 125_000_000, 133_333_333), (b, d, lvl) => {
        const at = Number((BigInt(lvl) * BigInt(b)) / 100_000_000n) + d;
        if (!Number.isSafeInteger(at)) return;
        const lv = { ...levels, marginCallLevelE8: lvl + 1, liquidationLevelE8: lvl };
        const below = BigInt(at) * 100_000_000n <= BigInt(lvl) * BigInt(b);
        assert.equal(classifyMarginLevel(at, b, lv) === 'LIQUIDATING', below);
      }),
      { numRuns: 3_000 },
    );
  });

  it('flags the takeover level, reports the level rounded down and the distance rounded against the trader', () => {
    const withTakeover = scopeLevelsOf(btcParams({ takeoverLevelE8: 66_666_667 }));
    assert.equal(isAtOrBelowTakeoverLevel(666, 1_000, withTakeover), true);
    assert.equal(isAtOrBelowTakeoverLevel(667, 1_000, withTakeover), false);
    assert.equal(isAtOrBelowTakeoverLevel(0, 1_000, levels), false);
    assert.equal(marginLevelE8(2, 3), 66_666_666);
    assert.equal(marginLevelE8(-2, 3), -66_666_667);
    assert.equal(marginLevelE8(5, 0), null);
    assert.equal(distanceToLevelUnits(1_000, 3, 125_000_000), 1_000 - 4); // 3.75 → 4
  });

  it('cross scopes take the strictest levels and refuse mixed bases', () => {
    const strict = btcParams({ marginCallLevelE8: 150_000_000, liquidationLevelE8: 110_000_000 });
    assert.deepEqual(crossScopeLevels([btc, strict]), { levelBasis: 'MM', marginCallLevelE8: 150_000_000, liquidationLevelE8: 110_000_000, takeoverLevelE8: null });
    assert.throws(() => crossScopeLevels([btc, ethParams({ levelBasis: 'IM' })]), /levelBasis/);
    assert.throws(() => crossScopeLevels([]), DomainError);
  });

  it('refuses fractional or negative inputs', () => {
    assert.throws(() => classifyMarginLevel(1.5, 1, levels), /equityUnits/);
    assert.throws(() => classifyMarginLevel(1, -1, levels), /basisUnits/);
  });
});

describe('availability (RISK-SPEC §3.4, §3.5)', () => {
  it('WB 1,000, UPnL +300, IM 400: available 900, withdrawable 600; never negative', () => {
    assert.equal(availableForOrdersUnits(1_300, 400), 900);
    assert.equal(withdrawableUnits(1_000, 1_300, 400), 600);
    assert.equal(withdrawableUnits(1_000, 700, 400), 300); // a loss limits it
    assert.equal(withdrawableUnits(1_000, 300, 400), 0);
    assert.equal(isolatedRemovableUnits(500, 600, 200), 300);
    assert.equal(isolatedRemovableUnits(500, 150, 200), 0);
  });
});

describe('liquidation step and clearance fee (RISK-SPEC §8)', () => {
  it('closes at or below the threshold in one step, else 20% of the lots (at least 1)', () => {
    const mark = markSubticks('50000'); // one lot (0.001 BTC) = 50 USDT
    assert.equal(liquidationStepLots(btc, 1_000, mark), 1_000); // 50,000 ≤ threshold 50,000
    assert.equal(liquidationStepLots(btc, -200_000, mark), 40_000); // 10M: 20%
    assert.equal(liquidationStepLots(btcParams({ partial: { thresholdUnits: 0, stepFractionE8: 1 } }), 1_001, mark), 1);
  });

  it('applies the minimum step when the fraction is smaller', () => {
    const p = btcParams({ partial: { thresholdUnits: 0, stepFractionE8: 10_000_000, minStepUnits: units('1000') } });
    const mark = markSubticks('50000');
    assert.equal(liquidationStepLots(p, 100, mark), 20); // 10% of 5,000 = 500 < 1,000 → 1,000 / 50 = 20 lots
    assert.equal(liquidationStepLots(p, 10, mark), 10); // capped at the position
  });

  it('clearance fee = min(ceil(rate × notional), surplus), never negative', () => {
    assert.equal(clearanceFeeUnits(btc, units('1999600'), units('30000')), units('24995'));
    assert.equal(clearanceFeeUnits(btc, units('1999600'), units('100')), units('100'));
    assert.equal(clearanceFeeUnits(btc, 1, 1_000), 1); // 0.0125 → 1
    assert.equal(clearanceFeeUnits(btc, 1_000, -5), 0);
  });

  it('orders candidates by largest MM, then symbol', () => {
    const c = [{ symbol: 'ETHUSDT', maintenanceUnits: 5 }, { symbol: 'BTCUSDT', maintenanceUnits: 5 }, { symbol: 'XRPUSDT', maintenanceUnits: 9 }];
    assert.deepEqual(c.sort(compareLiquidationPriority).map((x) => x.symbol), ['XRPUSDT', 'BTCUSDT', 'ETHUSDT']);
  });
});
