import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collateralPriceAtHealthFactorOne, healthFactorReport } from './health-factor.js';

// micro-USD settle units; ETH in 1e-8 units, USDC in 1e-6 units
const usd = (whole: number) => whole * 1_000_000;
const eth = (whole: number) => Math.round(whole * 100_000_000);
const ethAt = (dollars: number) => ({ settleUnits: usd(dollars), perAssetUnits: 100_000_000 });
const USDC = { settleUnits: 1, perAssetUnits: 1 };

describe('health factor (RISK-SPEC §10; aave.com/docs/developers/liquidations)', () => {
  it('Aave docs: $10,000 of ETH at LT 80% against $6,000 borrowed → HF 1.3333', () => {
    const r = healthFactorReport([{ amountUnits: eth(5), price: ethAt(2000), liquidationThresholdE8: 80_000_000 }], [{ amountUnits: usd(6000), price: USDC }]);
    assert.equal(r.healthFactorE8, 133_333_333n); // rounded down
    assert.equal(r.acceptedCollateralUnits, BigInt(usd(8000)));
    assert.equal(r.liquidatable, false);
    assert.equal(r.distanceToLiquidationUnits, BigInt(usd(2000)));
  });

  it('no debt: no health factor, never liquidatable', () => {
    const r = healthFactorReport([{ amountUnits: eth(1), price: ethAt(2000), liquidationThresholdE8: 80_000_000 }], []);
    assert.equal(r.healthFactorE8, null);
    assert.equal(r.liquidatable, false);
  });

  it('HF = 1 exactly is not liquidatable; one unit more debt is', () => {
    const coll = [{ amountUnits: eth(10), price: ethAt(2000), liquidationThresholdE8: 80_000_000 }];
    assert.equal(healthFactorReport(coll, [{ amountUnits: usd(16000), price: USDC }]).liquidatable, false);
    assert.equal(healthFactorReport(coll, [{ amountUnits: usd(16000) + 1, price: USDC }]).liquidatable, true);
  });

  it('reports the collateral price at which HF reaches 1, rounded up', () => {
    const coll = [{ amountUnits: eth(10), price: ethAt(2000), liquidationThresholdE8: 80_000_000 }];
    // 16,500 / (10 × 0.8) = 2,062.5 USD per ETH
    assert.equal(collateralPriceAtHealthFactorOne(coll, [{ amountUnits: usd(16500), price: USDC }], 0), BigInt(usd(2062.5)));
    // 3 units of debt over 1e8 × 0.8 units: 3.75e-8 → rounds up to 4 micro-USD per ETH
    assert.equal(collateralPriceAtHealthFactorOne(coll.map((c) => ({ ...c, amountUnits: eth(1) })), [{ amountUnits: 3, price: USDC }], 0), 4n);
  });
});
