/**
 * Notional at mark: `N = q × M` in settle units, exact.
 *
 * Formula: with the mark in subticks (`markSubticksPerTick` = spt per tick),
 * `N = q × lotTickUnits × markSubticks / spt`. N is a rational with denominator spt:
 * it is carried as `whole = floor(N)` plus `fraction = (N − whole) × spt` (an integer
 * in [0, spt)), so tier selection and every later rounding see the exact value.
 *
 * Numbers: `q × lotTickUnits` is a safe integer (guarded); the product with
 * `markSubticks` can pass 2^53 (a 90M USDT position at 6 decimals and spt 100), so
 * it goes through the exact allocation-free kernel (wide-arithmetic.ts). `whole` is
 * a money amount and must itself be a safe integer (else DOMAIN_OUT_OF_RANGE).
 *
 * Rounding: `notionalAtMarkUnits` reports floor(N) (display, step sizing),
 * `notionalAtMarkCeilUnits` ceil(N) (caps); margin formulas use the exact pair.
 *
 * Example: BTCUSDT lotTickUnits 100 (lot 0.001, tick 0.1, 6 decimals), spt 100;
 * 20 lots (0.02 BTC) at mark 50,000.00 = 50,000,000 subticks:
 * N = 20 × 100 × 50,000,000 / 100 = 1,000,000,000 units = 1,000 USDT, fraction 0.
 */
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireUnitsPerTick } from './input-guards.js';
import { mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

/** The fraction slot: a typed array, so storing a double never allocates (see wide-arithmetic.ts). */
const fractionSlot = new Float64Array(1);

/**
 * Internal kernel: floor(N) for |Q| = absQtyLots at `markSubticks`; the fraction
 * numerator (over spt) goes to `notionalFraction()`. Inputs are trusted.
 */
export function loadNotionalAtMark(params: MarketRiskParams, absQtyLots: number, markSubticks: number): number {
  const whole = mulDivFloorWide(requireUnitsPerTick(params, absQtyLots), markSubticks, params.markSubticksPerTick);
  fractionSlot[0] = wideRemainder();
  return whole;
}

/** Fraction numerator (0 ≤ f < spt) of the last `loadNotionalAtMark`. */
export function notionalFraction(): number {
  return fractionSlot[0];
}

/** floor(|Q| × M) in settle units. */
export function notionalAtMarkUnits(params: MarketRiskParams, qtyLots: number, markSubticks: number): number {
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  requirePrice('markSubticks', markSubticks);
  return loadNotionalAtMark(params, q, markSubticks);
}

/** ceil(|Q| × M) in settle units: what a cap on notional compares, so that a position just past it is refused. */
export function notionalAtMarkCeilUnits(params: MarketRiskParams, qtyLots: number, markSubticks: number): number {
  const whole = notionalAtMarkUnits(params, qtyLots, markSubticks);
  return fractionSlot[0] > 0 ? whole + 1 : whole;
}

/** Notional of lots at a tick price (an integer: lots × ticks × lotTickUnits). */
export function notionalAtTicksUnits(params: MarketRiskParams, qtyLots: number, priceTicks: number): number {
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  requirePrice('priceTicks', priceTicks);
  return mulDivFloorWide(requireUnitsPerTick(params, q), priceTicks, 1);
}
