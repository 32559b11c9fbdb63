/**
 * The simulated market both modes run on the default markets: one seeded order
 * flow configuration (makers quoting ladders, takers crossing, cancels and moves),
 * the accounts it trades from and what they deposit, and where the simulated index
 * starts. `npm start` drives it in-process; the cluster's simulated gateway
 * publishes the same flow onto Kafka, so both modes see the same market.
 *
 * Start prices: the first market at 300,000 ticks (BTCUSDT: 30,000.0 USDT), the
 * others at 200,000 ticks (ETHUSDT: 2,000.00 USDT). The index starts there too:
 * 300,000 ticks × 100 subticks per tick = 30,000,000 mark subticks.
 */
import type { MarketSpec } from '@perpcore/domain';
import type { OrderFlowConfig } from '@perpcore/simulation';
import { defaultMarketSpecs } from './default-markets.js';
import { USDT_UNITS_PER_USDT } from './default-venue.js';

export const SIM_MAKER_ACCOUNTS: readonly number[] = Object.freeze([1, 2, 3, 4, 5]);
export const SIM_TAKER_ACCOUNTS: readonly number[] = Object.freeze(Array.from({ length: 20 }, (_, i) => 100 + i));

/**
 * Settle units each simulated account deposits before trading (100,000,000 USDT):
 * far above what the flow's positions and quotes need, so the pre-trade check never
 * refuses the simulation for margin and no account is liquidated by the flow alone.
 */
export const SIM_DEPOSIT_UNITS = 100_000_000 * USDT_UNITS_PER_USDT;

export function simStartPriceTicks(marketIndex: number): number {
  return marketIndex === 0 ? 300_000 : 200_000;
}

/** The order flow of the simulated market on `markets`, for `seed`. */
export function simulatedOrderFlowConfig(seed: number, markets: readonly MarketSpec[] = defaultMarketSpecs, firstOrderId = 1): OrderFlowConfig {
  return {
    seed,
    markets: markets.map((spec, i) => ({ symbol: spec.symbol, startPriceTicks: simStartPriceTicks(i), driftTicks: 2, maxQtyLots: spec.maxQtyLots })),
    makerAccounts: [...SIM_MAKER_ACCOUNTS],
    takerAccounts: [...SIM_TAKER_ACCOUNTS],
    quotesPerSide: 20,
    quoteSpacingTicks: 5,
    takerShare: 0.12,
    cancelShare: 0.06,
    newQuoteShare: 0.09,
    maxOrderLots: 50,
    firstOrderId,
  };
}

/** Every account the simulated flow trades from, makers first. */
export function simulatedAccountIds(config: OrderFlowConfig): number[] {
  return [...config.makerAccounts, ...config.takerAccounts];
}

/** Where each market's simulated index starts, at mark resolution. */
export function simulatedIndexStarts(config: OrderFlowConfig, markSubticksPerTick: (symbol: string) => number): { symbol: string; startPriceSubticks: number }[] {
  return config.markets.map((m) => ({ symbol: m.symbol, startPriceSubticks: m.startPriceTicks * markSubticksPerTick(m.symbol) }));
}
