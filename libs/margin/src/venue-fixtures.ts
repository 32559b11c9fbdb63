/**
 * Test fixtures: real venue tables built through the real constructors. Not
 * exported from the package entry point.
 */
import { createMarketSpec, type MarketSpec } from '@perpcore/domain';
import { type MarketRiskParams, type MarketRiskParamsInput, createMarketRiskParams } from './market-risk-params.js';
import type { TierInput } from './tier-table.js';

export const USDT = 1_000_000; // micro-USDT per USDT

const usdt = (n: number) => n * USDT;

/** Old Binance BTCUSDT brackets (RISK-SPEC §11.1), without cum: the constructor derives it. */
export const binanceBtcTiers: readonly TierInput[] = [
  { floorUnits: 0, capUnits: usdt(50_000), maxLeverage: 125, mmrE8: 400_000 },
  { floorUnits: usdt(50_000), capUnits: usdt(250_000), maxLeverage: 100, mmrE8: 500_000 },
  { floorUnits: usdt(250_000), capUnits: usdt(1_000_000), maxLeverage: 50, mmrE8: 1_000_000 },
  { floorUnits: usdt(1_000_000), capUnits: usdt(5_000_000), maxLeverage: 20, mmrE8: 2_500_000 },
  { floorUnits: usdt(5_000_000), capUnits: usdt(20_000_000), maxLeverage: 10, mmrE8: 5_000_000 },
];

/** 2021 Binance ETHUSDT brackets (10% tier has cum 135,365, RISK-SPEC §11.3). */
export const binanceEthTiers: readonly TierInput[] = [
  { floorUnits: 0, capUnits: usdt(10_000), maxLeverage: 100, mmrE8: 500_000 },
  { floorUnits: usdt(10_000), capUnits: usdt(100_000), maxLeverage: 75, mmrE8: 650_000 },
  { floorUnits: usdt(100_000), capUnits: usdt(500_000), maxLeverage: 50, mmrE8: 1_000_000 },
  { floorUnits: usdt(500_000), capUnits: usdt(1_000_000), maxLeverage: 25, mmrE8: 2_000_000 },
  { floorUnits: usdt(1_000_000), capUnits: usdt(2_000_000), maxLeverage: 10, mmrE8: 5_000_000 },
  { floorUnits: usdt(2_000_000), capUnits: usdt(5_000_000), maxLeverage: 5, mmrE8: 10_000_000 },
  { floorUnits: usdt(5_000_000), capUnits: usdt(10_000_000), maxLeverage: 4, mmrE8: 12_500_000 },
];

/** tick 0.01, lot 0.001, USDT 6 decimals → lotTickUnits 10. */
export function usdtMarket(symbol: string, baseAsset: string): MarketSpec {
  return createMarketSpec({
    symbol,
    baseAsset,
    settleAsset: 'USDT',
    settleDecimals: 6,
    tickSize: '0.01',
    lotSize: '0.001',
    maxPriceTicks: 1_000_000_000,
    maxQtyLots: 9_000_000,
    priceBandE8: 5_000_000,
  });
}

export const btcMarket = usdtMarket('BTCUSDT', 'BTC');
export const ethMarket = usdtMarket('ETHUSDT', 'ETH');

export function btcParams(overrides: Partial<MarketRiskParamsInput> = {}): MarketRiskParams {
  return createMarketRiskParams(btcMarket, { tiers: binanceBtcTiers, clearanceFeeRateE8: 1_250_000, ...overrides });
}

export function ethParams(overrides: Partial<MarketRiskParamsInput> = {}): MarketRiskParams {
  return createMarketRiskParams(ethMarket, { tiers: binanceEthTiers, clearanceFeeRateE8: 1_250_000, ...overrides });
}

/** Price "50000.00" → subticks at the default 100 subticks per tick of 0.01. */
export function markSubticks(price: string): number {
  const [whole, frac = ''] = price.split('.');
  return Number(BigInt(whole + frac.padEnd(4, '0').slice(0, 4)));
}

/** Decimal string → micro-USDT. */
export function units(amount: string): number {
  const negative = amount.startsWith('-');
  const [whole, frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  const v = Number(BigInt(whole + frac.padEnd(6, '0')));
  return negative ? -v : v;
}

/** Decimal string quantity → lots of 0.001. */
export function lots(qty: string): number {
  const [whole, frac = ''] = qty.split('.');
  return Number(BigInt(whole + frac.padEnd(3, '0')));
}

/** Price decimal → ticks of 0.01. */
export function ticks(price: string): number {
  const [whole, frac = ''] = price.split('.');
  return Number(BigInt(whole + frac.padEnd(2, '0')));
}
