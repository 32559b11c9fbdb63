/**
 * Fixtures for the spot-margin stage tests: a BTC/USDT pair (USDT at 6 decimals,
 * BTC at 8; lot 0.0001 BTC = 10,000 sat, tick 0.01 USDT → one lot at one tick is
 * one micro-USDT), Kraken's levels (80 % / 40 %, opening 100 %), 5× on both assets,
 * and an engine that records every event.
 */
import { createHaircutSchedule, createSpotMarginParams } from '@perpcore/margin';
import type { SpotMarginEvent } from './spot-margin-events.js';
import { SpotMarginEngine } from './spot-margin-engine.js';
import { createSpotPairSpec } from './spot-pair.js';

export const usdt = (v: number): number => Math.round(v * 1e6);
export const sat = (btc: number): number => Math.round(btc * 1e8);
export const ticks = (usdtPrice: number): number => Math.round(usdtPrice * 100);
export const lots = (btc: number): number => Math.round(btc * 1e4);
export const HOUR_NS = 3_600_000_000_000;

export const BTC_USDT = createSpotPairSpec({
  symbol: 'BTC/USDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  baseUnitsPerLot: 10_000,
  quoteUnitsPerLotTick: 1,
  maxPriceTicks: 100_000_000,
  maxQtyLots: 1_000_000,
  priceBandE8: 5_000_000,
});

export function spotParams(overrides: { maxBorrowBtc?: number; maxAccountDebtUsdt?: number; hourlyRateE8?: number } = {}) {
  return createSpotMarginParams({
    settleAsset: 'USDT',
    maxAccountDebtValueUnits: usdt(overrides.maxAccountDebtUsdt ?? 1_000_000),
    liquidationFeeRateE8: 2_000_000,
    borrowable: [
      { asset: 'USDT', maxLeverage: 5, hourlyRateE8: overrides.hourlyRateE8 ?? 1_000, maxBorrowUnits: usdt(500_000) },
      { asset: 'BTC', maxLeverage: 5, hourlyRateE8: overrides.hourlyRateE8 ?? 1_000, maxBorrowUnits: sat(overrides.maxBorrowBtc ?? 10) },
    ],
  });
}

export interface RecordedEngine {
  readonly engine: SpotMarginEngine;
  readonly events: SpotMarginEvent[];
}

export function createRecordedEngine(params = spotParams(), onEvent?: (e: SpotMarginEvent, engine: SpotMarginEngine) => void): RecordedEngine {
  const events: SpotMarginEvent[] = [];
  let engine: SpotMarginEngine | undefined;
  engine = new SpotMarginEngine(
    { params, pairs: [BTC_USDT], haircuts: [createHaircutSchedule('BTC', [{ upToValueUnits: null, ratioE8: 100_000_000 }])] },
    (e) => {
      events.push(e);
      if (onEvent !== undefined && engine !== undefined) onEvent(e, engine);
    },
  );
  return { engine, events };
}

export const MAKER = 900;

/** Pool funding and a market maker resting a bid and an ask around `midUsdt`. */
export function seedMarket(engine: SpotMarginEngine, tsNs: number, midUsdt: number): void {
  engine.fundPool('USDT', usdt(1_000_000), tsNs);
  engine.fundPool('BTC', sat(100), tsNs);
  engine.setIndexPrice('BTC/USDT', ticks(midUsdt), tsNs);
  engine.deposit(MAKER, 'BTC', sat(50), tsNs);
  engine.deposit(MAKER, 'USDT', usdt(5_000_000), tsNs);
}
