import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError, Side, createMarketSpec } from '@perpcore/domain';
import { checkLeverageForOrders, leverageTierIndex } from './leverage-tier.js';
import { type RestingOrder, buildOrderExposure, marketInitialMargin, orderInitialMargin, orderMarginAtMark } from './order-margin.js';
import { createMarketRiskParams } from './market-risk-params.js';
import { btcParams, units } from './venue-fixtures.js';

// the module doc's market: lotTickUnits 100 (tick 0.1, lot 0.001, 6 decimals)
const market = createMarketSpec({ symbol: 'BTCUSDT', baseAsset: 'BTC', settleAsset: 'USDT', settleDecimals: 6, tickSize: '0.1', lotSize: '0.001', maxPriceTicks: 100_000_000, maxQtyLots: 90_000_000, priceBandE8: 5_000_000 });
const p100 = createMarketRiskParams(market, { tiers: [{ floorUnits: 0, capUnits: 10 ** 12, maxLeverage: 20, mmrE8: 1_000_000 }], clearanceFeeRateE8: 0 });

describe('order IM (RISK-SPEC §3.2)', () => {
  it('module example: reducing lots are free, opening notional / L plus open loss, market IM = IMpos + max side', () => {
    const orders: RestingOrder[] = [
      { side: Side.Sell, priceTicks: 1_020, qtyLots: 8 },
      { side: Side.Sell, priceTicks: 1_010, qtyLots: 4 },
      { side: Side.Buy, priceTicks: 1_005, qtyLots: 3 },
    ];
    const m = orderInitialMargin(p100, { qtyLots: 10, leverage: 10, markSubticks: 100_000, orders });
    assert.deepEqual(m.sell, { openingLots: 2, openingNotionalUnits: 204_000, openLossUnits: 0, imUnits: 20_400 });
    assert.deepEqual(m.buy, { openingLots: 3, openingNotionalUnits: 301_500, openLossUnits: 1_500, imUnits: 31_650 });
    assert.equal(m.imUnits, 31_650);
    assert.equal(m.openingNotionalUnits, 301_500);
    const market = marketInitialMargin(p100, { qtyLots: 10, leverage: 10, markSubticks: 100_000, orders });
    assert.equal(market.positionImUnits, 100_000); // 10 × 1,000 × 100 / 10
    assert.equal(market.imUnits, 131_650);
  });

  it('reduces most aggressive first: a short frees the highest buys', () => {
    const orders: RestingOrder[] = [
      { side: Side.Buy, priceTicks: 900, qtyLots: 5 },
      { side: Side.Buy, priceTicks: 950, qtyLots: 5 },
    ];
    const m = orderInitialMargin(p100, { qtyLots: -5, leverage: 10, markSubticks: 100_000, orders });
    assert.equal(m.buy.openingNotionalUnits, 5 * 900 * 100); // the 950s reduce
  });

  it('rounds open loss up once per side on a sub-tick mark (pinned)', () => {
    // sell 1 lot at 1,000 ticks below a mark of 1,000.01 ticks: loss 0.01 tick × 100 = 1 unit; at 1,000.001: 0.1 → 1
    const orders: RestingOrder[] = [{ side: Side.Sell, priceTicks: 1_000, qtyLots: 1 }];
    assert.equal(orderInitialMargin(p100, { qtyLots: 0, leverage: 10, markSubticks: 100_001, orders }).sell.openLossUnits, 1);
    const twoOrders: RestingOrder[] = [{ side: Side.Sell, priceTicks: 1_000, qtyLots: 1 }, { side: Side.Sell, priceTicks: 1_000, qtyLots: 1 }];
    // two halves of a unit each would round up to 2 per order; once per side it is 2 × 1 = 2 (exact) here
    assert.equal(orderInitialMargin(p100, { qtyLots: 0, leverage: 10, markSubticks: 100_001, orders: twoOrders }).sell.openLossUnits, 2);
    // opening IM rounds up: 1 lot × 1 tick × 100 / 3 → 34
    assert.equal(orderInitialMargin(p100, { qtyLots: 0, leverage: 3, markSubticks: 100, orders: [{ side: Side.Buy, priceTicks: 1, qtyLots: 1 }] }).buy.imUnits, 34);
  });

  it('property: matches a brute-force reference (lot by lot) and the hot-path split', () => {
    const order = fc.record({ side: fc.constantFrom(Side.Buy, Side.Sell), priceTicks: fc.integer({ min: 1, max: 20_000 }), qtyLots: fc.integer({ min: 1, max: 50 }) });
    fc.assert(
      fc.property(fc.array(order, { maxLength: 8 }), fc.integer({ min: -200, max: 200 }), fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 20 }), (orders, q, mark, lev) => {
        const m = orderInitialMargin(p100, { qtyLots: q, leverage: lev, markSubticks: mark, orders });
        for (const d of [Side.Buy, Side.Sell]) {
          const lotsAt: number[] = [];
          orders.filter((o) => o.side === d).sort((a, b) => (d === Side.Buy ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks)).forEach((o) => {
            for (let i = 0; i < o.qtyLots; i++) lotsAt.push(o.priceTicks);
          });
          const reducing = Math.sign(q) === -d ? Math.abs(q) : 0;
          const opening = lotsAt.slice(reducing);
          const openingNotional = opening.reduce((a, p) => a + p * 100, 0);
          const lossTimesSpt = lotsAt.reduce((a, p) => a + Math.max(0, d * (p * 100 - mark)) * 100, 0);
          const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);
          const expected = ceilDiv(openingNotional, lev) + ceilDiv(lossTimesSpt, 100);
          const side = d === Side.Buy ? m.buy : m.sell;
          assert.equal(side.openingNotionalUnits, openingNotional);
          assert.equal(side.imUnits, expected);
        }
        assert.equal(orderMarginAtMark(p100, buildOrderExposure(p100, q, lev, orders), mark), m.imUnits);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses bad orders, naming them', () => {
    const at = (o: RestingOrder) => () => orderInitialMargin(p100, { qtyLots: 0, leverage: 1, markSubticks: 1, orders: [o] });
    assert.throws(at({ side: Side.Buy, priceTicks: 0, qtyLots: 1 }), /orders\[0\]\.priceTicks/);
    assert.throws(at({ side: Side.Buy, priceTicks: 1, qtyLots: 1.5 }), /orders\[0\]\.qtyLots/);
    assert.throws(at({ side: 2 as Side, priceTicks: 1, qtyLots: 1 }), /orders\[0\]\.side/);
  });
});

describe('leverage tier (RISK-SPEC §2)', () => {
  const btc = btcParams(); // 125× to 50k, 100× to 250k, 50× to 1M, ...
  const mark = 5_000_000; // 500.00 USDT in subticks: one lot (0.001) is worth 0.5 USDT
  it('N_lev = q × M + openingNotional picks the tier; leverage above its max is refused', () => {
    // 40,000 USDT position + 20,000 opening = 60,000 → tier index 1 (100×)
    const q = 40_000 * 1_000_000 / (mark * 10 / 100); // lots whose notional at mark is 40,000 USDT
    const input = { qtyLots: q, markSubticks: mark, openingNotionalUnits: units('20000') };
    assert.equal(leverageTierIndex(btc, input), 1);
    assert.equal(checkLeverageForOrders(btc, input, 100), 1);
    assert.throws(() => checkLeverageForOrders(btc, input, 125), (e: unknown) => e instanceof DomainError && e.code === 'RISK_LEVERAGE_ABOVE_TIER_MAX');
  });

  it('refuses orders past the last cap, but not a reduce-only book on a position the mark pushed past it', () => {
    const q = 20_000_000 * 1_000_000 / (mark * 10 / 100); // exactly the last cap (20M)
    assert.equal(checkLeverageForOrders(btc, { qtyLots: q, markSubticks: mark, openingNotionalUnits: 0 }, 10), 4);
    assert.throws(() => checkLeverageForOrders(btc, { qtyLots: q, markSubticks: mark, openingNotionalUnits: 1 }, 10), (e: unknown) => e instanceof DomainError && e.code === 'RISK_NOTIONAL_ABOVE_MAX_TIER');
    assert.equal(checkLeverageForOrders(btc, { qtyLots: q, markSubticks: mark * 2, openingNotionalUnits: 0 }, 10), 4);
  });
});
