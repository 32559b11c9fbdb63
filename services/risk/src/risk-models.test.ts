/**
 * Risk models selected per market (libs/margin risk-model.ts) as the engine runs
 * them: the dYdX open-interest IMF ramp floors each position's IM in the scope
 * evaluation (so the account report, the pre-trade hold and withdrawals see it),
 * Hyperliquid MM runs through the tier table, and an inverse market is refused at load.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@perpcore/domain';
import { createMarketRiskParams, hyperliquidTierInputs } from '@perpcore/margin';
import { createRiskSetup } from './risk-config.js';
import { RiskHarness, USDT, btcSpec, btcSubticks, btcTicks, btcTiers, riskConfig } from './risk-harness.test-support.js';

const MAKER = 10;
const ALICE = 1;
/** IMF 5% up to 0 open notional, 100% at 100,000 USDT: 1 BTC open at 30,000 → 5% + 30% × 95% = 33.5%. */
const ramp = { model: { initialMargin: 'IMF_RAMP' as const, imfRamp: { baseImfE8: 5_000_000, lowerCapUnits: 0, upperCapUnits: 100_000 * USDT } } };

function aliceBuys1Btc(h: RiskHarness): void {
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(MAKER, 10_000_000 * USDT);
  h.deposit(ALICE, 10_000 * USDT);
  h.setLeverage(ALICE, 'BTCUSDT', 20);
  h.place({ account: MAKER, side: 'sell', priceTicks: btcTicks('30000'), lots: 2_000 });
  assert.equal(h.place({ account: ALICE, side: 'buy', priceTicks: btcTicks('30000'), lots: 1_000 }), '');
}

describe('risk models in the engine', () => {
  it('IMF_RAMP: the position IM follows the open interest (33.5% of 30,000 = 10,050), not N / L (1,500)', () => {
    const h = new RiskHarness(riskConfig(ramp));
    aliceBuys1Btc(h);
    const r = h.engine.accountReport(ALICE)!;
    assert.equal(r.cross.initialUnits, 10_050 * USDT);
    assert.equal(r.cross.positions[0].initialFractionE8, 33_500_000);
    assert.equal(r.withdrawableUnits, 0);
    // more exposure needs IM the equity (9,985 after the taker fee) no longer covers
    assert.equal(h.place({ account: ALICE, side: 'buy', priceTicks: btcTicks('30000'), lots: 10 }), 'RISK_INSUFFICIENT_MARGIN');

    const fixed = new RiskHarness(riskConfig());
    aliceBuys1Btc(fixed);
    assert.equal(fixed.engine.accountReport(ALICE)!.cross.initialUnits, 1_500 * USDT);
    assert.equal(fixed.engine.accountReport(ALICE)!.cross.positions[0].initialFractionE8, null);
    assert.equal(fixed.place({ account: ALICE, side: 'buy', priceTicks: btcTicks('30000'), lots: 10 }), '');
  });

  it('IMF_RAMP: a resting order holds the fraction of its opening notional too (the pre-trade check sees it)', () => {
    const BOB = 2;
    const h = new RiskHarness(riskConfig(ramp));
    aliceBuys1Btc(h);
    h.deposit(BOB, 9_000 * USDT);
    h.setLeverage(BOB, 'BTCUSDT', 20);
    // 1 BTC bid at 29,000: max(29,000 / 20, 29,000 × 33.5%) = 9,715 > 9,000 of equity
    assert.equal(h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('29000'), lots: 1_000 }), 'RISK_INSUFFICIENT_MARGIN');
    assert.equal(h.place({ account: BOB, side: 'buy', priceTicks: btcTicks('29000'), lots: 500 }), '');
    assert.equal(h.engine.accountReport(BOB)!.cross.openOrderImUnits, 4_857_500_000); // 14,500 × 33.5%
  });

  it('IMF_RAMP: the fraction is recomputed when the index moves the open notional', () => {
    const h = new RiskHarness(riskConfig(ramp));
    aliceBuys1Btc(h);
    h.index('BTCUSDT', btcSubticks('20000')); // ON 20,000 → 5% + 19% = 24%; IM 24% × 20,000 = 4,800
    assert.equal(h.engine.accountReport(ALICE)!.cross.initialUnits, 4_800 * USDT);
  });

  it('HYPERLIQUID maintenance runs through the tier table: MM = N / (2 × 40) under 150M', () => {
    const tiers = hyperliquidTierInputs([{ lowerBoundUnits: 0, maxLeverage: 40 }, { lowerBoundUnits: 150_000_000 * USDT, maxLeverage: 20 }], 1_000_000_000 * USDT);
    const config = riskConfig({ tiers, model: { maintenanceMargin: 'HYPERLIQUID' } });
    const h = new RiskHarness(config);
    aliceBuys1Btc(h);
    assert.equal(h.engine.accountReport(ALICE)!.cross.maintenanceUnits, 375 * USDT); // 30,000 × 1.25%
  });

  it('refuses an INVERSE market at load, naming the key', () => {
    const config = riskConfig();
    const inverse = { ...config.markets[0], risk: createMarketRiskParams(btcSpec, { tiers: btcTiers, clearanceFeeRateE8: 0, model: { contract: 'INVERSE', contractValueQuote: '1' } }) };
    assert.throws(
      () => createRiskSetup({ ...config, markets: [inverse, config.markets[1]] }),
      (e: unknown) => e instanceof DomainError && e.code === 'RISK_INVALID_CONFIG' && /markets\[0\]\.risk\.model\.contract/.test(e.message),
    );
  });
});
