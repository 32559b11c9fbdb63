/**
 * The markets both modes list (`npm start` and `npm run start:cluster`). Grids are
 * realistic (BTC: 0.1 USDT tick, 0.001 BTC lot; ETH: 0.01 tick, 0.01 lot), settled
 * in USDT with 6 decimals (micro-USDT), and bounded so every book-path product of
 * price and quantity stays exact.
 */
import { createMarketSpec, type MarketSpec } from '@perpcore/domain';

export const defaultMarketSpecs: readonly MarketSpec[] = [
  createMarketSpec({
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    settleAsset: 'USDT',
    settleDecimals: 6,
    tickSize: '0.1',
    lotSize: '0.001',
    maxPriceTicks: 10_000_000,
    maxQtyLots: 1_000_000,
    priceBandE8: 5_000_000,
  }),
  createMarketSpec({
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    settleAsset: 'USDT',
    settleDecimals: 6,
    tickSize: '0.01',
    lotSize: '0.01',
    maxPriceTicks: 10_000_000,
    maxQtyLots: 1_000_000,
    priceBandE8: 5_000_000,
  }),
];
