/**
 * Funding rate (RISK-SPEC §5.5):
 * ```
 * F_period   = P̄ + clamp(I − P̄, −premiumClamp, +premiumClamp)
 * F_interval = F_period × fundingIntervalS / fundingRatePeriodS
 * F          = clamp(F_interval, −cap, +cap)       cap = multiple × mmr_1, or absolute
 * ```
 * Terms: P̄ the average premium, I `interestRateE8`, all rates E8 (per rate period
 * before scaling, per interval after). F > 0: longs pay shorts. The cap applies
 * after scaling.
 *
 * Rounding: toward zero, to 1e-8 (the interval scaling and a multiple-of-MMR cap are
 * the only divisions).
 *
 * Example (RISK-SPEC §11.9): P̄ 0.053333%, I 0.01%, clamp ±0.05%, cap 0.75 × 0.40%
 * = 0.30%: I − P̄ = −0.043333% is inside the clamp → F(8 h) = 0.0100% (10,000 E8);
 * a 4 h interval on the same 8 h rate period applies 0.0050%.
 *
 * Figures: the result carries every intermediate a venue publishes (P̄, the clamped
 * term, F_period, F_interval before the cap, the cap, F).
 */
import { Rounding, divRoundBig, requireSafeInteger } from '@perpcore/domain';
import type { MarketRiskParams } from './market-risk-params.js';
import { imfMmfFundingCapE8 } from './imf-ramp.js';
import { E8 } from './tier-table.js';

export interface FundingRate {
  /** P̄, the average premium the rate was built from (E8 per rate period). */
  readonly averagePremiumE8: number;
  /** The clamped premium term `clamp(I − P̄, ±premiumClamp)` (E8 per rate period). */
  readonly clampedTermE8: number;
  /** F_period (E8 per rate period). */
  readonly periodRateE8: number;
  /** F_interval before the cap. */
  readonly uncappedRateE8: number;
  /** The cap (E8 per interval). */
  readonly capE8: number;
  /** F, the applied rate per interval. */
  readonly rateE8: number;
}

/** The cap in E8 per interval: `multiple × mmr_1` (toward zero) or the absolute rate. */
export function fundingCapE8(params: MarketRiskParams): number {
  const cap = params.fundingCap;
  if (cap.kind === 'ABSOLUTE') return cap.rateE8;
  if (cap.kind === 'IMF_MMF_MULTIPLE') return imfMmfFundingCapE8(params, cap.multipleE8);
  return Number(divRoundBig(BigInt(cap.multipleE8) * BigInt(params.tiers.mmrE8[0]), BigInt(E8), Rounding.TowardZero));
}

function clamp(v: number, bound: number): number {
  return v > bound ? bound : v < -bound ? -bound : v;
}

export function fundingRate(params: MarketRiskParams, averagePremiumE8: number): FundingRate {
  const avg = requireSafeInteger('averagePremiumE8', averagePremiumE8);
  const clampedTermE8 = clamp(params.interestRateE8 - avg, params.premiumClampE8);
  const periodRateE8 = avg + clampedTermE8;
  const uncappedRateE8 = Number(divRoundBig(BigInt(periodRateE8) * BigInt(params.fundingIntervalS), BigInt(params.fundingRatePeriodS), Rounding.TowardZero));
  const capE8 = fundingCapE8(params);
  return Object.freeze({ averagePremiumE8: avg, clampedTermE8, periodRateE8, uncappedRateE8, capE8, rateE8: clamp(uncappedRateE8, capE8) });
}
