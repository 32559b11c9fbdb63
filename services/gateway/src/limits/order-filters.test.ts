import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultMarketSpecs } from '@perpcore/markets';
import { checkOrderFilters, compareProducts, orderFiltersOf } from './order-filters.js';

const btc = defaultMarketSpecs[0];
const f = orderFiltersOf(btc);
const MARK = 300_000; // 30,000.0 USDT in 0.1 ticks
const ctx = { openOrders: 0, markTicks: MARK };
const limit = (priceTicks: number, qtyLots: number, reduceOnly = false) => ({ isMarket: false, priceTicks, qtyLots, reduceOnly });
const market = (qtyLots: number, reduceOnly = false) => ({ isMarket: true, priceTicks: 0, qtyLots, reduceOnly });

describe('order filters', () => {
  it('derives the exchangeInfo filters from the market spec', () => {
    assert.equal(f.maxQtyLots, btc.maxQtyLots);
    assert.equal(f.marketMaxQtyLots, btc.maxQtyLots / 10);
    assert.equal(f.multiplierUpE8, 105_000_000);
    assert.equal(f.multiplierDownE8, 95_000_000);
    assert.equal(f.minNotionalUnits, 5_000_000);
  });

  it('PERCENT_PRICE: a price exactly on the band passes, one tick beyond fails, on both sides', () => {
    assert.equal(checkOrderFilters(f, limit(315_000, 1), ctx), '');
    assert.equal(checkOrderFilters(f, limit(315_001, 1), ctx), 'PRICE_HIGHER_THAN_MULTIPLIER_UP');
    assert.equal(checkOrderFilters(f, limit(285_000, 1), ctx), '');
    assert.equal(checkOrderFilters(f, limit(284_999, 1), ctx), 'PRICE_LOWER_THAN_MULTIPLIER_DOWN');
    assert.equal(checkOrderFilters(f, limit(999_999, 1), { openOrders: 0, markTicks: 0 }), '', 'no band before the first mark');
  });

  it('MIN_NOTIONAL: exact at 5 USDT, one lot less fails; reduce-only is exempt; market orders at mark', () => {
    // 0.001 BTC × 5,000.0 = 5 USDT exactly: 50,000 ticks × 1 lot × lotTickUnits 100
    const low = { openOrders: 0, markTicks: 50_000 };
    assert.equal(checkOrderFilters(f, limit(50_000, 1), low), '');
    assert.equal(checkOrderFilters(f, limit(49_999, 1), { openOrders: 0, markTicks: 0 }), 'MIN_NOTIONAL');
    assert.equal(checkOrderFilters(f, limit(49_999, 1, true), { openOrders: 0, markTicks: 0 }), '');
    assert.equal(checkOrderFilters(f, market(1), { openOrders: 0, markTicks: 49_999 }), 'MIN_NOTIONAL');
    assert.equal(checkOrderFilters(f, market(1), low), '');
  });

  it('LOT_SIZE / MARKET_LOT_SIZE and MAX_NUM_ORDERS', () => {
    assert.equal(checkOrderFilters(f, limit(MARK, 0), ctx), 'QTY_LESS_THAN_MIN_QTY');
    assert.equal(checkOrderFilters(f, limit(MARK, f.maxQtyLots), ctx), '');
    assert.equal(checkOrderFilters(f, limit(MARK, f.maxQtyLots + 1), ctx), 'QTY_GREATER_THAN_MAX_QTY');
    assert.equal(checkOrderFilters(f, market(f.marketMaxQtyLots), ctx), '');
    assert.equal(checkOrderFilters(f, market(f.marketMaxQtyLots + 1), ctx), 'QTY_GREATER_THAN_MAX_QTY');
    assert.equal(checkOrderFilters(f, limit(MARK, 10), { openOrders: 199, markTicks: MARK }), '');
    assert.equal(checkOrderFilters(f, limit(MARK, 10), { openOrders: 200, markTicks: MARK }), 'MAX_OPEN_ORDER_EXCEEDED');
  });

  it('compareProducts is exact beyond 2^53 (bigint reference)', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 2 ** 30 }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 2 ** 30 }), (a, b, c, d) => {
        const l = BigInt(a) * BigInt(b);
        const r = BigInt(c) * BigInt(d);
        assert.equal(compareProducts(a, b, c, d), l === r ? 0 : l < r ? -1 : 1);
      }),
      { seed: 10, numRuns: 2_000 },
    );
  });
});
