import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMarketSpec, formatPrice, priceToTicks, qtyToLots, type MarketSpecInput } from './market-spec.js';

const btc: MarketSpecInput = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  settleAsset: 'USDT',
  settleDecimals: 6,
  tickSize: '0.1',
  lotSize: '0.001',
  maxPriceTicks: 10_000_000,
  maxQtyLots: 1_000_000,
  priceBandE8: 5_000_000,
};

describe('market spec', () => {
  it('derives the exact settle units of one lot at one tick', () => {
    assert.equal(createMarketSpec(btc).lotTickUnits, 100); // 0.001 × 0.1 × 1e6
  });

  it('converts decimal prices and quantities to ticks and lots', () => {
    const spec = createMarketSpec(btc);
    assert.equal(priceToTicks(spec, '30001.5'), 300015);
    assert.equal(qtyToLots(spec, '0.125'), 125);
    assert.equal(formatPrice(spec, 300015), '30001.5');
  });

  it('rejects off-tick, off-lot, zero, negative and oversized values', () => {
    const spec = createMarketSpec(btc);
    assert.throws(() => priceToTicks(spec, '30001.55'), /not a multiple of 0.1/);
    assert.throws(() => qtyToLots(spec, '0.0005'), /not a multiple of 0.001/);
    assert.throws(() => priceToTicks(spec, '0'), /must be within/);
    assert.throws(() => priceToTicks(spec, '-1'), /must be within/);
    assert.throws(() => priceToTicks(spec, '1000000.1'), /must be within/);
    assert.throws(() => qtyToLots(spec, '1000.001'), /must be within/);
    assert.throws(() => qtyToLots(spec, 'NaN'), /decimal string/);
  });

  it('rejects specs that would leave the safe-integer range or the unit grid', () => {
    assert.throws(() => createMarketSpec({ ...btc, maxPriceTicks: 2 ** 30, maxQtyLots: 2 ** 30 }), /2\^53/);
    assert.throws(() => createMarketSpec({ ...btc, settleDecimals: 2, lotSize: '0.001', tickSize: '0.1' }), /positive integer/);
    assert.throws(() => createMarketSpec({ ...btc, tickSize: '0' }), /tickSize must be > 0/);
    assert.throws(() => createMarketSpec({ ...btc, symbol: 'btc usdt' }), /symbol/);
    assert.throws(() => createMarketSpec({ ...btc, priceBandE8: 0 }), /priceBandE8/);
  });
});
