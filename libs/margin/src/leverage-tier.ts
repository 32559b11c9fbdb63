/**
 * Leverage tier and the pre-trade leverage check (RISK-SPEC §2, §3.2).
 *
 * `N_lev = q × M + openingNotional`, where openingNotional is the opening notional
 * of the larger order side (order-margin.ts). The tier holding N_lev caps the
 * leverage: `L ≤ maxLeverage_k`, else `RISK_LEVERAGE_ABOVE_TIER_MAX`. Orders that
 * would take N_lev past the last cap are rejected with `RISK_NOTIONAL_ABOVE_MAX_TIER`;
 * with no opening notional nothing is rejected for size (a mark move may push a
 * position past the last cap, and reducing it must stay possible).
 *
 * Rounding: none; N_lev is compared exactly (integer opening notional plus the exact
 * notional at mark).
 *
 * Example (old Binance BTCUSDT table with 125×/100×/50×/20× maxima): a position of
 * 40,000 USDT plus 20,000 opening notional is N_lev = 60,000 → tier index 1, so
 * 125× is refused and 100× accepted.
 */
import { DomainError, requireNonNegativeInteger, requirePositiveInteger } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice, requireQtyLots, requireSafeResult } from './input-guards.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { tierIndexFor } from './tier-table.js';

export interface LeverageTierInput {
  /** Signed position Q. */
  readonly qtyLots: number;
  readonly markSubticks: number;
  /** Opening notional of the larger order side (`OrderMargin.openingNotionalUnits`). */
  readonly openingNotionalUnits: number;
}

const tierSlot = new Float64Array(2); // [whole, fraction] of the last N_lev

/** Index of the tier holding N_lev (0-based); past the last cap it is the last tier. */
export function leverageTierIndex(params: MarketRiskParams, input: LeverageTierInput): number {
  const q = Math.abs(requireQtyLots('qtyLots', input.qtyLots));
  requirePrice('markSubticks', input.markSubticks);
  const opening = requireNonNegativeInteger('openingNotionalUnits', input.openingNotionalUnits);
  const whole = requireSafeResult('N_lev', loadNotionalAtMark(params, q, input.markSubticks) + opening);
  tierSlot[0] = whole;
  tierSlot[1] = notionalFraction();
  return tierIndexFor(params.tiers, whole, tierSlot[1] > 0);
}

/** Throws `RISK_NOTIONAL_ABOVE_MAX_TIER` or `RISK_LEVERAGE_ABOVE_TIER_MAX`; returns the leverage tier index. */
export function checkLeverageForOrders(params: MarketRiskParams, input: LeverageTierInput, leverage: number): number {
  const lev = requirePositiveInteger('leverage', leverage);
  const k = leverageTierIndex(params, input);
  const last = params.tiers.count - 1;
  const cap = params.tiers.capUnits[last];
  const beyondCap = tierSlot[0] > cap || (tierSlot[0] === cap && tierSlot[1] > 0);
  if (input.openingNotionalUnits > 0 && beyondCap) {
    throw new DomainError(RiskErrorCode.NotionalAboveMaxTier, `${params.symbol}: notional with open orders ${tierSlot[0]} exceeds the last tier's cap ${cap}`);
  }
  if (lev > params.tiers.maxLeverage[k]) {
    throw new DomainError(RiskErrorCode.LeverageAboveTierMax, `${params.symbol}: leverage ${lev} exceeds tier ${k + 1}'s maximum ${params.tiers.maxLeverage[k]}`);
  }
  return k;
}
