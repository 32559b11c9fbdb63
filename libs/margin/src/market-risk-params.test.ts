import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@perpcore/domain';
import { type MarketRiskParamsInput, createMarketRiskParams } from './market-risk-params.js';
import { binanceBtcTiers, btcMarket, btcParams, units } from './venue-fixtures.js';

const base: MarketRiskParamsInput = { tiers: binanceBtcTiers, clearanceFeeRateE8: 1_250_000 };
const rejects = (overrides: Record<string, unknown>, key: RegExp) =>
  assert.throws(
    () => createMarketRiskParams(btcMarket, { ...base, ...overrides } as MarketRiskParamsInput),
    (e: unknown) => e instanceof DomainError && e.code === 'RISK_INVALID_MARKET_PARAMS' && key.test(e.message),
  );

describe('market risk parameters (RISK-SPEC §1)', () => {
  it('fills the spec defaults and takes grid facts from the MarketSpec', () => {
    const p = btcParams();
    assert.equal(p.lotTickUnits, 10);
    assert.equal(p.settleDecimals, 6);
    assert.equal(p.priceDecimals, 2);
    assert.equal(p.fundingIntervalS, 28_800);
    assert.equal(p.fundingRatePeriodS, 28_800);
    assert.equal(p.interestRateE8, 10_000);
    assert.equal(p.premiumClampE8, 50_000);
    assert.deepEqual(p.fundingCap, { kind: 'MMR_MULTIPLE', multipleE8: 75_000_000 });
    assert.equal(p.premiumSampleS, 5);
    assert.equal(p.premiumAveraging, 'LINEAR_WEIGHTED');
    assert.equal(p.impactMarginUnits, units('200'));
    assert.equal(p.fundingPrice, 'MARK');
    assert.equal(p.markMethod, 'MEDIAN3');
    assert.equal(p.markBasisWindowS, 30);
    assert.equal(p.markSubticksPerTick, 100);
    assert.equal(p.levelBasis, 'MM');
    assert.equal(p.marginCallLevelE8, 125_000_000);
    assert.equal(p.liquidationLevelE8, 100_000_000);
    assert.equal(p.takeoverLevelE8, null);
    assert.deepEqual(p.partial, { thresholdUnits: units('50000'), stepFractionE8: 20_000_000, minStepUnits: 0, cooldownMs: 0 });
    assert.deepEqual(p.liquidationLimit, { kind: 'BANKRUPTCY' });
    assert.equal(p.adlRanking, 'PNL_X_LEVERAGE');
    assert.equal(p.insuranceFundId, 'shared');
    assert.equal(p.ifMaxNetNotionalE8, 100_000_000);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.tiers) && Object.isFrozen(p.tiers.mmrE8));
  });

  it('refuses call ≤ liquidation and takeover ≥ liquidation', () => {
    rejects({ marginCallLevelE8: 100_000_000 }, /BTCUSDT\.marginCallLevelE8/);
    rejects({ marginCallLevelE8: 90_000_000 }, /BTCUSDT\.marginCallLevelE8/);
    rejects({ takeoverLevelE8: 100_000_000 }, /BTCUSDT\.takeoverLevelE8/);
    assert.equal(btcParams({ takeoverLevelE8: 66_666_667 }).takeoverLevelE8, 66_666_667);
  });

  it('refuses unknown keys, bad enums and malformed nested objects, naming the key', () => {
    rejects({ fundingIntervalSec: 3_600 }, /BTCUSDT\.fundingIntervalSec is not a risk parameter/);
    rejects({ markMethod: 'MEDIAN' }, /BTCUSDT\.markMethod/);
    rejects({ fundingCap: { kind: 'MMR_MULTIPLE', multipleE8: 0 } }, /BTCUSDT\.fundingCap\.multipleE8/);
    rejects({ fundingCap: { kind: 'PERCENT' } }, /BTCUSDT\.fundingCap\.kind/);
    rejects({ liquidationLimit: { kind: 'FILLABLE', bankruptcyAdjustmentE8: 1 } }, /BTCUSDT\.liquidationLimit\.spreadToMmRatioE8/);
    rejects({ partial: { stepFraction: 1 } }, /BTCUSDT\.partial\.stepFraction is not/);
    rejects({ insuranceFundId: '' }, /BTCUSDT\.insuranceFundId/);
  });

  it('refuses non-integer, negative and out-of-range numbers, naming the key', () => {
    rejects({ clearanceFeeRateE8: 0.5 }, /BTCUSDT\.clearanceFeeRateE8/);
    rejects({ clearanceFeeRateE8: -1 }, /BTCUSDT\.clearanceFeeRateE8/);
    rejects({ fundingIntervalS: 0 }, /BTCUSDT\.fundingIntervalS/);
    rejects({ premiumSampleS: 7 }, /BTCUSDT\.premiumSampleS .*divide/);
    rejects({ markBasisWindowS: 31, markBasisSampleS: 2 }, /BTCUSDT\.markBasisWindowS/);
    rejects({ markSubticksPerTick: 0 }, /BTCUSDT\.markSubticksPerTick/);
    rejects({ impactMarginUnits: Number.NaN }, /BTCUSDT\.impactMarginUnits/);
    rejects({ tiers: binanceBtcTiers.map((r, k) => (k === 1 ? { ...r, floorUnits: r.floorUnits - 1 } : r)) }, /BTCUSDT\.tiers\[1\]\.floorUnits/);
  });
});
