import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '@perpcore/domain';
import { fundingCapE8, fundingRate } from './funding-rate.js';
import { imfMmfFundingCapE8, imfRampE8, imfRampFigures, imfRampInitialMarginUnits, openNotionalUnits } from './imf-ramp.js';
import { positionInitialMarginUnits } from './initial-margin.js';
import { USDT, btcParams, markSubticks } from './venue-fixtures.js';

const M = 1_000_000 * USDT;
/** dYdX v4 test liquidity tier 9: IMF 20%, MMF 10% (maintenance fraction 50%), OI caps 25M / 50M USDC. */
const tier9 = [{ floorUnits: 0, capUnits: 1_000 * M, maxLeverage: 5, mmrE8: 10_000_000 }];
const params = btcParams({
  tiers: tier9,
  fundingIntervalS: 3_600,
  fundingRatePeriodS: 28_800,
  fundingCap: { kind: 'IMF_MMF_MULTIPLE', multipleE8: 600_000_000 },
  model: { initialMargin: 'IMF_RAMP', imfRamp: { baseImfE8: 20_000_000, lowerCapUnits: 25 * M, upperCapUnits: 50 * M } },
});
const ramp = params.model.imfRamp!;

describe('dYdX open-interest IMF ramp', () => {
  // https://help.dydx.trade/en/articles/228341-open-interest-initial-margin-fraction (formula);
  // tier 9 and the 600% funding clamp factor are dYdX v4-chain's own test constants and genesis default.
  const table = [
    { openNotional: 0, scaling: 0, increase: 0, imf: 20_000_000 },
    { openNotional: 25 * M, scaling: 0, increase: 0, imf: 20_000_000 },
    { openNotional: 37.5 * M, scaling: 50_000_000, increase: 40_000_000, imf: 60_000_000 },
    { openNotional: 50 * M, scaling: 100_000_000, increase: 80_000_000, imf: 100_000_000 },
    { openNotional: 80 * M, scaling: 100_000_000, increase: 80_000_000, imf: 100_000_000 },
  ];
  for (const row of table) {
    it(`open notional ${row.openNotional / M}M USDC → IMF ${row.imf / 1e6}%`, () => {
      assert.deepEqual(imfRampFigures(params, row.openNotional), { openNotionalUnits: row.openNotional, scalingFactorE8: row.scaling, imfIncreaseE8: row.increase, imfE8: row.imf });
    });
  }

  it('a 10,000 USDC position at IMF 60% needs 6,000 USDC, more than N / L at 5×', () => {
    const q = 200; // 0.2 BTC at 50,000
    const mark = markSubticks('50000.00');
    assert.equal(imfRampInitialMarginUnits(params, q, mark, 5, 60_000_000), 6_000 * USDT);
    assert.equal(imfRampInitialMarginUnits(params, q, mark, 2, 20_000_000), positionInitialMarginUnits(params, q, mark, 2));
  });

  it('funding cap = 600% × (20% − 10%) = 60% per 8 h, 7.5% per hourly interval', () => {
    assert.equal(imfMmfFundingCapE8(params, 600_000_000), 7_500_000);
    assert.equal(fundingCapE8(params), 7_500_000);
    assert.equal(fundingRate(params, 900_000_000).rateE8, 7_500_000);
  });

  it('rounds the IMF up and the open notional up', () => {
    // 1 unit above the lower cap: 80% × 1 / 25M → 3.2e-6 E8 → 1 E8 up
    assert.equal(imfRampE8(ramp, 25 * M + 1), 20_000_001);
    // 1 lot (0.001 BTC) at 50,000.01: 50.00001 USDT exactly; at 50,000.005 (subtick) 50.000005 → up
    assert.equal(openNotionalUnits(params, 1, 5_000_000_50), 50_000_005);
  });

  it('refuses a ramp on a market without it, and bad inputs', () => {
    assert.throws(() => imfRampFigures(btcParams(), 0), (e: unknown) => e instanceof DomainError && e.code === 'RISK_INVALID_ARGUMENT');
    assert.throws(() => imfRampFigures(params, -1), DomainError);
    assert.throws(() => imfRampInitialMarginUnits(params, 1, 100, 5, 100_000_001), /imfE8/);
    assert.throws(() => openNotionalUnits(params, 1.5, 100), /openInterestLots/);
  });

  it('property: the IMF is monotone in open notional, within [base, 100%]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 * M }), fc.integer({ min: 0, max: 100 * M }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const x = imfRampE8(ramp, lo);
        const y = imfRampE8(ramp, hi);
        assert.ok(x <= y && x >= ramp.baseImfE8 && y <= 100_000_000);
        // never below the exact rational: (imf − base) × span ≥ (ON − lower) × (1 − base)
        if (lo > ramp.lowerCapUnits && lo < ramp.upperCapUnits) {
          assert.ok(BigInt(x - ramp.baseImfE8) * BigInt(ramp.upperCapUnits - ramp.lowerCapUnits) >= BigInt(lo - ramp.lowerCapUnits) * 80_000_000n);
        }
      }),
    );
  });
});
