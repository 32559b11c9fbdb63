import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError, createMarketSpec } from '@perpcore/domain';
import {
  inverseBankruptcyPrice,
  inverseFillCostUnits,
  inverseFundingPaymentUnits,
  inverseInitialMarginUnits,
  inverseLiquidationPrice,
  inverseMaintenanceMarginUnits,
  inversePnlUnits,
  inverseUnrealizedPnlUnits,
  inverseValue,
} from './inverse-contract.js';
import { createMarketRiskParams } from './market-risk-params.js';
import { btcParams } from './venue-fixtures.js';

const SAT = 100_000_000; // satoshis per XBT
const xbtusd = createMarketSpec({
  symbol: 'XBTUSD',
  baseAsset: 'XBT',
  settleAsset: 'XBT',
  settleDecimals: 8,
  tickSize: '0.5',
  lotSize: '1',
  maxPriceTicks: 20_000_000,
  maxQtyLots: 100_000_000,
  priceBandE8: 5_000_000,
});
/** XBTUSD: 1 USD contracts, 100× max, MM 0.35% up to 200 XBT, then 0.85% (coin tiers). */
const params = createMarketRiskParams(xbtusd, {
  tiers: [
    { floorUnits: 0, capUnits: 200 * SAT, maxLeverage: 100, mmrE8: 350_000 },
    { floorUnits: 200 * SAT, capUnits: 100_000 * SAT, maxLeverage: 50, mmrE8: 850_000 },
  ],
  clearanceFeeRateE8: 0,
  model: { contract: 'INVERSE', contractValueQuote: '1' },
});
/** USD price → subticks (tick 0.5, 100 subticks per tick). */
const usd = (price: number) => price * 2 * 100;
const ticksOf = (price: number) => price * 2;

describe('inverse contracts (BitMEX XBTUSD)', () => {
  // https://bitmex.com/app/inverseFuturesGuide ("XBTUSD Futures Contract Example") and
  // https://www.bitmex.com/app/inversePerpetualsGuide (PnL = contracts × multiplier × (1/entry − 1/exit))
  const table = [
    { what: 'coin value of 100,000 contracts at 10,000', got: () => Number(inverseValue(params, 100_000, usd(10_000)).num / inverseValue(params, 100_000, usd(10_000)).den), want: 10 * SAT },
    { what: 'initial margin at 100×: 0.1 XBT', got: () => inverseInitialMarginUnits(params, 100_000, usd(10_000), 100), want: 0.1 * SAT },
    { what: 'profit selling at 10,500: 0.47619047 XBT (floor)', got: () => inversePnlUnits(params, 100_000, usd(10_000), usd(10_500)), want: 47_619_047 },
    { what: 'the short of it loses 0.47619048 XBT (floor)', got: () => inversePnlUnits(params, -100_000, usd(10_000), usd(10_500)), want: -47_619_048 },
    { what: 'maintenance 0.35% of 10 XBT', got: () => inverseMaintenanceMarginUnits(params, 100_000, usd(10_000)), want: 3_500_000 },
  ];
  for (const row of table) it(row.what, () => assert.equal(row.got(), row.want));

  it('UPnL from the cost basis equals the entry/exit form', () => {
    const cost = inverseFillCostUnits(params, 100_000, ticksOf(10_000));
    assert.equal(cost, 10 * SAT);
    assert.equal(inverseUnrealizedPnlUnits(params, 100_000, cost, usd(10_500)), 47_619_047);
  });

  it('funding in coin: payers pay the ceiling, receivers get the floor', () => {
    // 10 XBT at 0.01%: 0.001 XBT exactly; at 10,500 the value is 9.5238095238 XBT
    assert.equal(inverseFundingPaymentUnits(params, 100_000, usd(10_000), 10_000), 100_000);
    assert.equal(inverseFundingPaymentUnits(params, 100_000, usd(10_500), 10_000), 95_239); // 95,238.09… up
    assert.equal(inverseFundingPaymentUnits(params, -100_000, usd(10_500), 10_000), -95_238); // receives the floor
  });

  it('liquidation price: E = MM at the exact price; long rounds up, short down', () => {
    const cost = inverseFillCostUnits(params, 100_000, ticksOf(10_000));
    const lp = inverseLiquidationPrice(params, { qtyLots: 100_000, costUnits: cost, markSubticks: usd(10_000), walletUnits: 0.1 * SAT });
    assert.ok(lp !== null);
    // V = (0.1 + 10) / 1.0035 XBT → P = 100,000 × 1.0035 / 10.1 = 9,935.6435… → "9935.65"
    assert.equal(lp.reported, '9935.65');
    const short = inverseLiquidationPrice(params, { qtyLots: -100_000, costUnits: -cost, markSubticks: usd(10_000), walletUnits: 0.1 * SAT });
    assert.ok(short !== null);
    // |V| = (10 − 0.1) / 1.0035 → P = 100,000 × 0.9965 / 9.9 = 10,065.6565… → "10065.65"
    assert.equal(short.reported, '10065.65');
  });

  it('a 1× inverse short has no liquidation or bankruptcy price (its loss in coin is bounded)', () => {
    const cost = inverseFillCostUnits(params, -100_000, ticksOf(10_000));
    const input = { qtyLots: -100_000, costUnits: cost, markSubticks: usd(10_000), walletUnits: 10 * SAT };
    assert.equal(inverseLiquidationPrice(params, input), null);
    assert.equal(inverseBankruptcyPrice(params, input), null);
  });

  it('bankruptcy price: the whole margin is lost there; long limit rounds up to the tick', () => {
    const cost = inverseFillCostUnits(params, 100_000, ticksOf(10_000));
    const bp = inverseBankruptcyPrice(params, { qtyLots: 100_000, costUnits: cost, markSubticks: usd(10_000), walletUnits: 0.1 * SAT });
    assert.ok(bp !== null);
    // 100,000 / 10.1 = 9,900.990099… → limit 9,901.0 (tick 0.5 → 19,802 ticks)
    assert.equal(bp.limitPriceTicks, 19_802);
    assert.ok(inversePnlUnits(params, 100_000, usd(10_000), usd(9_901)) >= -0.1 * SAT);
  });

  it('selects the coin tier at the answer (re-selection)', () => {
    // 3,000,000 contracts at 10,000 = 300 XBT: tier 2 (0.85%, cum 1 XBT)
    const q = 3_000_000;
    const cost = inverseFillCostUnits(params, q, ticksOf(10_000));
    assert.equal(inverseMaintenanceMarginUnits(params, q, usd(10_000)), 255_000_000 - 100_000_000);
    const lp = inverseLiquidationPrice(params, { qtyLots: q, costUnits: cost, markSubticks: usd(10_000), walletUnits: 30 * SAT });
    assert.ok(lp !== null);
    assert.equal(lp.tierIndex, 1);
  });

  it('refuses a linear market, zero size, NaN and non-integers with a named error', () => {
    assert.throws(() => inverseValue(btcParams(), 1, 100), (e: unknown) => e instanceof DomainError && e.code === 'RISK_INVALID_ARGUMENT');
    assert.throws(() => inverseLiquidationPrice(params, { qtyLots: 0, costUnits: 0, markSubticks: 1, walletUnits: 0 }), DomainError);
    assert.throws(() => inversePnlUnits(params, Number.NaN, 1, 1), /qtyLots/);
    assert.throws(() => inverseInitialMarginUnits(params, 1, 1.5, 10), /priceSubticks/);
    assert.throws(() => inverseInitialMarginUnits(params, 1, 100, 101), (e: unknown) => e instanceof DomainError && e.code === 'RISK_LEVERAGE_ABOVE_TIER_MAX');
  });

  it('property: PnL is antisymmetric up to the venue-kept unit, and never above the exact value', () => {
    const price = fc.integer({ min: 2, max: 4_000_000 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), price, price, (q, entryTicks, exitTicks) => {
        const entry = entryTicks * 100;
        const exit = exitTicks * 100;
        const long = inversePnlUnits(params, q, entry, exit);
        const short = inversePnlUnits(params, -q, entry, exit);
        assert.ok(long + short === 0 || long + short === -1, `${long} + ${short}`);
        // exact PnL × den: q × kNum × (exit − entry) / (entry × exit × kDen); floor means long ≤ exact < long + 1
        const e = inverseValue(params, q, entry);
        const x = inverseValue(params, q, exit);
        const num = e.num * x.den - x.num * e.den;
        const den = e.den * x.den;
        assert.ok(BigInt(long) * den <= num && num < BigInt(long + 1) * den);
      }),
    );
  });

  it('property: at the exact liquidation price, equity equals maintenance exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 5_000_000 }), fc.boolean(), fc.integer({ min: 2, max: 100 }), (q, long, lev) => {
        const Q = long ? q : -q;
        const cost = inverseFillCostUnits(params, Q, ticksOf(10_000));
        const wallet = Math.ceil(Math.abs(cost) / lev);
        const lp = inverseLiquidationPrice(params, { qtyLots: Q, costUnits: cost, markSubticks: usd(10_000), walletUnits: wallet });
        if (lp === null) return;
        // V at the exact price (ticks → subticks × 100): V = Q × kNum × den / (num × 100 × kDen)
        const v1 = inverseValue(params, Q, 1); // V at 1 subtick: Q·kNum/kDen
        const pSub = { num: lp.ticks.num * 100n, den: lp.ticks.den };
        const v = { num: v1.num * pSub.den, den: v1.den * pSub.num };
        const absV = v.num < 0n ? -v.num : v.num;
        const k = lp.tierIndex;
        // E = W + C − V ; MM = |V|·mmr − cum (exact rationals over v.den × 1e8)
        const e = (BigInt(wallet) + BigInt(cost)) * v.den * 100_000_000n - v.num * 100_000_000n;
        const mm = absV * BigInt(params.tiers.mmrE8[k]) - BigInt(params.tiers.cumUnits[k]) * v.den * 100_000_000n;
        assert.equal(e, mm);
      }),
    );
  });
});
