/**
 * dYdX v4's open-interest initial margin fraction (OIMF) and its funding cap.
 *
 * Formula (help.dydx.trade "Open Interest Initial Margin Fraction"):
 * ```
 * open_notional  = open_interest × oracle_price
 * scaling_factor = (open_notional − lower_cap) / (upper_cap − lower_cap)
 * IMF_increase   = scaling_factor × (1 − base_IMF)
 * effective_IMF  = min(base_IMF + max(IMF_increase, 0), 100%)
 * IM of a position = |N| × effective_IMF           (here: max(ceil(N / L), ceil(N × IMF)))
 * funding cap    = clamp_factor × (IMF − MMF)       (dYdX: 600% of the liquidity tier's IMF − MMF, per 8 h)
 * ```
 * Terms: open interest is one side's lots (long = short), the oracle price is our
 * index (subticks); caps in settle units; fractions in 1e-8. The MMF does not move
 * with open interest. The funding cap uses the base IMF (dYdX's liquidity-tier
 * figure) and tier 1's MMR; it bounds the rate-period rate and is scaled to the
 * funding interval like the rate itself (dYdX pays 1/8 of the 8 h rate hourly).
 *
 * Invariants: IMF is non-decreasing in open notional (property test), equals the
 * base at or below the lower cap and 100% at or above the upper cap.
 *
 * Rounding (venue's favour): open notional up, IMF up to 1e-8, IM up; the
 * reported scaling factor down (it is informational); the funding cap toward zero
 * (the rule for every rate, RISK-SPEC §0).
 *
 * Numbers: safe integers through the exact kernel (wide-arithmetic.ts); no bigint.
 *
 * Example (dYdX v4 test liquidity tier 9: IMF 20%, MMF 10%, caps 25M / 50M USDC):
 * open notional 37.5M → scaling 0.5, increase 0.5 × 80% = 40%, IMF 60%; a 10,000 USDC
 * position needs 6,000 USDC initial margin; the 8 h funding cap is 600% × 10% = 60%.
 */
import { DomainError, requireNonNegativeInteger } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { requireLeverage, requirePrice, requireQtyLots, requireUnitsPerTick } from './input-guards.js';
import { initialFromNotional } from './initial-margin.js';
import { rateOfNotionalCeil } from './maintenance-margin.js';
import { loadNotionalAtMark, notionalFraction } from './notional.js';
import { RiskErrorCode } from './risk-error-codes.js';
import type { ImfRamp } from './risk-model.js';
import { E8 } from './tier-table.js';
import { mulDivCeilWide, mulDivFloorWide } from './wide-arithmetic.js';

/** The intermediate figures dYdX publishes for a market's IMF. */
export interface ImfRampFigures {
  readonly openNotionalUnits: number;
  /** (open_notional − lower_cap) / (upper_cap − lower_cap), clamped to [0, 1], E8, rounded down. */
  readonly scalingFactorE8: number;
  /** IMF − base IMF, E8. */
  readonly imfIncreaseE8: number;
  /** The effective IMF, E8, rounded up. */
  readonly imfE8: number;
}

function rampOf(params: MarketRiskParams): ImfRamp {
  const ramp = params.model.imfRamp;
  if (ramp === null) throw new DomainError(RiskErrorCode.InvalidArgument, `${params.symbol} does not use the IMF_RAMP initial-margin model`);
  return ramp;
}

/** Open notional `OI × index` in settle units, rounded up. */
export function openNotionalUnits(params: MarketRiskParams, openInterestLots: number, indexSubticks: number): number {
  const oi = requireNonNegativeInteger('openInterestLots', openInterestLots);
  const index = requirePrice('indexSubticks', indexSubticks);
  return mulDivCeilWide(requireUnitsPerTick(params, oi), index, params.markSubticksPerTick);
}

/** Effective IMF (E8, rounded up) at an open notional; trusted inputs, allocation-free. */
export function imfRampE8(ramp: ImfRamp, openNotional: number): number {
  if (openNotional <= ramp.lowerCapUnits) return ramp.baseImfE8;
  if (openNotional >= ramp.upperCapUnits) return E8;
  return ramp.baseImfE8 + mulDivCeilWide(openNotional - ramp.lowerCapUnits, E8 - ramp.baseImfE8, ramp.upperCapUnits - ramp.lowerCapUnits);
}

/** Every figure of the ramp at an open notional (settle units). */
export function imfRampFigures(params: MarketRiskParams, openNotional: number): ImfRampFigures {
  const ramp = rampOf(params);
  const on = requireNonNegativeInteger('openNotionalUnits', openNotional);
  const span = ramp.upperCapUnits - ramp.lowerCapUnits;
  const over = Math.min(Math.max(on - ramp.lowerCapUnits, 0), span);
  const imfE8 = imfRampE8(ramp, on);
  return Object.freeze({
    openNotionalUnits: on,
    scalingFactorE8: mulDivFloorWide(over, E8, span),
    imfIncreaseE8: imfE8 - ramp.baseImfE8,
    imfE8,
  });
}

/** `ceil(units × imfE8 / 1e8)` for an integer notional (open-order IM under the ramp); trusted inputs, allocation-free. */
export function fractionOfUnitsCeil(notionalUnits: number, imfE8: number): number {
  return mulDivCeilWide(notionalUnits, imfE8, E8);
}

/** Position IM under the ramp: `max(ceil(N / L), ceil(N × imf))`, N = q × mark, rounded up. */
export function imfRampInitialMarginUnits(params: MarketRiskParams, qtyLots: number, markSubticks: number, leverage: number, imfE8: number): number {
  const q = Math.abs(requireQtyLots('qtyLots', qtyLots));
  requirePrice('markSubticks', markSubticks);
  const lev = requireLeverage(params, leverage);
  const imf = requirePrice('imfE8', imfE8);
  if (imf > E8) throw new DomainError(RiskErrorCode.InvalidArgument, `imfE8 must be <= 1e8, got ${imf}`);
  const whole = loadNotionalAtMark(params, q, markSubticks);
  const fraction = notionalFraction();
  const spt = params.markSubticksPerTick;
  return Math.max(initialFromNotional(whole, fraction, spt, lev), rateOfNotionalCeil(whole, fraction, spt, imf));
}

/**
 * dYdX's funding cap per funding interval (E8, toward zero):
 * `clampFactor × (baseIMF − mmr_1) × fundingIntervalS / fundingRatePeriodS`.
 */
export function imfMmfFundingCapE8(params: MarketRiskParams, clampFactorE8: number): number {
  const ramp = rampOf(params);
  const factor = requireNonNegativeInteger('clampFactorE8', clampFactorE8);
  const spreadE8 = ramp.baseImfE8 - params.tiers.mmrE8[0];
  const perPeriod = mulDivFloorWide(factor, spreadE8, E8);
  return mulDivFloorWide(perPeriod, params.fundingIntervalS, params.fundingRatePeriodS);
}
