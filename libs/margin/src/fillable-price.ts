/**
 * Fillable price (RISK-SPEC §4, `liquidationLimit = FILLABLE`, dYdX style): an IOC
 * limit tighter than the bankruptcy price, closer to the mark.
 * ```
 * FP  = (N_signed − ABR × SMMR × MMpos) / Q
 * ABR = clamp(BA × (1 − E / MMtot), 0, 1)
 * ```
 * Terms: `N_signed = Q × M` (units), MMpos this position's MM, E and MMtot the scope's
 * equity and total MM, BA (`bankruptcyAdjustmentE8`) and SMMR (`spreadToMmRatioE8`)
 * from the market's `liquidationLimit`, result in ticks.
 *
 * Rounding: exact rational; the book limit rounds long up, short down, to the tick
 * (like BP). With MMtot = 0 there is nothing to liquidate (refused).
 *
 * Example: long 1 BTC (1,000 lots) at mark 50,000, MMpos 200 (0.4%), E = 0,
 * MMtot 200, BA 1, SMMR 1 → ABR = 1, FP = (50,000 − 200) / 1 = 49,800.00.
 */
import { DomainError, Rounding, divRoundBig } from '@perpcore/domain';
import { type DerivedPrice, derivedPrice } from './derived-price.js';
import type { Ratio } from './exact-ratio.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult, requireUnits } from './input-guards.js';
import { maintenanceFromNotional } from './maintenance-margin.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';

export interface FillablePriceInput {
  /** Signed Q, ≠ 0. */
  readonly qtyLots: number;
  readonly markSubticks: number;
  readonly scopeEquityUnits: number;
  readonly scopeMaintenanceUnits: number;
}

export interface FillablePrice {
  readonly limitPriceTicks: number;
  readonly price: DerivedPrice;
  /** ABR as an exact ratio in [0, 1]. */
  readonly adjustment: Ratio;
}

export function fillablePrice(params: MarketRiskParams, input: FillablePriceInput): FillablePrice {
  if (params.liquidationLimit.kind !== 'FILLABLE') {
    throw new DomainError(RiskErrorCode.InvalidArgument, `${params.symbol}.liquidationLimit is ${params.liquidationLimit.kind}, not FILLABLE`);
  }
  const { bankruptcyAdjustmentE8, spreadToMmRatioE8 } = params.liquidationLimit;
  const Q = requireQtyLots('qtyLots', input.qtyLots);
  if (Q === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'qtyLots must not be 0 for a fillable price');
  const mark = requirePrice('markSubticks', input.markSubticks);
  const e = BigInt(requireUnits('scopeEquityUnits', input.scopeEquityUnits));
  const mmTot = BigInt(requirePrice('scopeMaintenanceUnits', input.scopeMaintenanceUnits));
  const whole = loadNotionalAtMark(params, Math.abs(Q), mark);
  const mmPos = BigInt(maintenanceFromNotional(params.tiers, whole, notionalFraction(), params.markSubticksPerTick));
  // ABR = BA × (MMtot − E) / (1e8 × MMtot), clamped to [0, 1]
  let abr: Ratio = { num: BigInt(bankruptcyAdjustmentE8) * (mmTot - e), den: BigInt(E8) * mmTot };
  if (abr.num < 0n) abr = { num: 0n, den: 1n };
  else if (abr.num > abr.den) abr = { num: 1n, den: 1n };
  const spt = BigInt(params.markSubticksPerTick);
  const ltu = BigInt(params.lotTickUnits);
  const q = BigInt(Q);
  // FP (ticks) = [Q·mark·ltu/spt − abr·SMMR/1e8·MMpos] / (Q·ltu)
  let num = q * BigInt(mark) * ltu * abr.den * BigInt(E8) - abr.num * BigInt(spreadToMmRatioE8) * mmPos * spt;
  let den = spt * abr.den * BigInt(E8) * q * ltu;
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const long = Q > 0;
  const ticks: Ratio = { num, den };
  const limitPriceTicks = requireSafeResult('fillablePriceTicks', Number(divRoundBig(num, den, long ? Rounding.Ceil : Rounding.Floor)));
  return Object.freeze({ limitPriceTicks, price: derivedPrice(params, ticks, 0, long), adjustment: abr });
}
