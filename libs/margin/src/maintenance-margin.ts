/**
 * Maintenance margin (RISK-SPEC §3.3): `MMpos = ceil(N × mmr_k) − cum_k`, with k the
 * MM tier of the notional at mark `N = q × M`.
 *
 * Terms: N settle units (exact rational, see notional.ts), `mmr_k` 1e-8,
 * `cum_k` settle units (integer by the tier-table check), result settle units.
 *
 * Rounding: up (the requirement is never understated); one rounding of the exact
 * `N × mmr_k`, then the integer `cum_k` is subtracted. Because cum_k is an integer,
 * `ceil(N·mmr − cum) = ceil(N·mmr) − cum`, so the rounded MM keeps the convex form
 * `MM(N) = max_k ceil(N·mmr_k − cum_k)`.
 *
 * Numbers: `whole × mmr` can pass 2^53, so it goes through the exact kernel; the
 * remainders recombine below 2^48 (`r1 × spt + fraction × mmr < 2 × 1e8 × spt`).
 *
 * Example (RISK-SPEC §11.3): BTC long 109.488 at mark 31,967.27, tier MMR 2.5%,
 * cum 16,300: N = 3,500,032.457... USDT, MM = 71,200.811444 USDT
 * (= 87,500.811444 − 16,300, rounded up to the micro-USDT).
 */
import { requireNonNegativeInteger } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { E8, type TierTable, tierIndexFor } from './tier-table.js';
import { mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

/**
 * Internal kernel: MM for the exact notional `whole + fraction/spt` (trusted inputs).
 * Shared by the readable function and the hot-path account evaluation.
 */
export function maintenanceFromNotional(tiers: TierTable, whole: number, fraction: number, subticksPerTick: number): number {
  const k = tierIndexFor(tiers, whole, fraction > 0);
  return rateOfNotionalCeil(whole, fraction, subticksPerTick, tiers.mmrE8[k]) - tiers.cumUnits[k];
}

/**
 * Internal kernel: `ceil(N × rateE8 / 1e8)` for the exact notional `whole + fraction/spt`
 * (MM before the maintenance amount; the IMF-ramp initial margin).
 */
export function rateOfNotionalCeil(whole: number, fraction: number, subticksPerTick: number, rateE8: number): number {
  rateKernelSlots[WHOLE] = whole;
  rateKernelSlots[FRACTION] = fraction;
  rateOfNotionalCeilInSlots(subticksPerTick, rateE8);
  return rateKernelSlots[RESULT];
}

/**
 * The same kernel with the notional in and the result out through `rateKernelSlots`
 * (whole, fraction → result): the hot path calls it with small-integer arguments
 * only, so no number is boxed across the call (see wide-arithmetic.ts).
 */
export const rateKernelSlots = new Float64Array(3);
const WHOLE = 0;
const FRACTION = 1;
const RESULT = 2;

export function rateOfNotionalCeilInSlots(subticksPerTick: number, mmr: number): void {
  const whole = rateKernelSlots[WHOLE];
  const fraction = rateKernelSlots[FRACTION];
  // whole·mmr passes 2^52 for any sizeable position; split whole = hi·1e8 + lo so
  // both partial products stay exact doubles (hi·mmr < 2^53, lo·mmr < 1e16, and
  // under 2^52 for mmr ≤ 45%, else the kernel's wide path takes over)
  let hi = Math.floor(whole / E8);
  let lo = whole - hi * E8;
  if (lo < 0) {
    hi -= 1;
    lo += E8;
  } else if (lo >= E8) {
    hi += 1;
    lo -= E8;
  }
  const q1 = hi * mmr + mulDivFloorWide(lo, mmr, E8);
  // N·mmr/1e8 = q1 + (r1·spt + fraction·mmr) / (spt·1e8), and that last part is < 2
  const t = wideRemainder() * subticksPerTick + fraction * mmr;
  const d = subticksPerTick * E8;
  const up = t === 0 ? 0 : t > d ? 2 : 1;
  rateKernelSlots[RESULT] = q1 + up;
}

/** MM tier index (0-based) of the position at mark. */
export function maintenanceTierIndex(params: MarketRiskParams, qtyLots: number, markSubticks: number): number {
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  requirePrice('markSubticks', markSubticks);
  const whole = loadNotionalAtMark(params, q, markSubticks);
  return tierIndexFor(params.tiers, whole, notionalFraction() > 0);
}

/** MMpos in settle units, rounded up. */
export function maintenanceMarginUnits(params: MarketRiskParams, qtyLots: number, markSubticks: number): number {
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  requirePrice('markSubticks', markSubticks);
  const whole = loadNotionalAtMark(params, q, markSubticks);
  return requireSafeResult('maintenanceMarginUnits', maintenanceFromNotional(params.tiers, whole, notionalFraction(), params.markSubticksPerTick));
}

/** MM of an integer notional (units): `ceil(N × mmr_k / 1e8) − cum_k`. */
export function maintenanceMarginForNotionalUnits(tiers: TierTable, notionalUnits: number): number {
  const n = requireNonNegativeInteger('notionalUnits', notionalUnits);
  return maintenanceFromNotional(tiers, n, 0, 1);
}
