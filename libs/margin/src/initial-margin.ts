/**
 * Initial margin of a position (RISK-SPEC §3.2): `IMpos = ceil(q × M / L)`.
 *
 * Terms: q lots, M mark (subticks), L the account's integer leverage for the market,
 * result settle units. Market IM adds the open-order IM: `IM = IMpos + max(IMord_buy,
 * IMord_sell)` (order-margin.ts).
 *
 * Rounding: up, once, on the exact notional. Numbers: `floor(N)/L` is a plain safe
 * division (repaired by remainder); the fractional carry `(whole mod L)·spt +
 * fraction < L·spt` is small, so at most one unit is added.
 *
 * Example (RISK-SPEC §11.2): long 0.02 BTC at 50,000, 20× → N = 1,000 USDT,
 * IMpos = 50 USDT = 50,000,000 micro-USDT.
 */
import type { MarketRiskParams } from './market-risk-params.js';
import { requireLeverage, requirePrice, requireQtyLots } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { mulDivFloorWide, wideRemainder } from './wide-arithmetic.js';

/** Internal kernel: ceil((whole + fraction/spt) / L) for trusted inputs. */
export function initialFromNotional(whole: number, fraction: number, subticksPerTick: number, leverage: number): number {
  const q = mulDivFloorWide(whole, 1, leverage);
  const carry = wideRemainder() * subticksPerTick + fraction;
  return carry > 0 ? q + 1 : q;
}

/** IMpos in settle units, rounded up. */
export function positionInitialMarginUnits(params: MarketRiskParams, qtyLots: number, markSubticks: number, leverage: number): number {
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  requirePrice('markSubticks', markSubticks);
  const lev = requireLeverage(params, leverage);
  const whole = loadNotionalAtMark(params, q, markSubticks);
  return initialFromNotional(whole, notionalFraction(), params.markSubticksPerTick, lev);
}
