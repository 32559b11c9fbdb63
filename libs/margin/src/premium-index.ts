/**
 * Premium index (RISK-SPEC §5.3), one sample:
 * ```
 * P = (max(0, impactBid − X) − max(0, X − impactAsk)) / X
 * ```
 * Terms: impact bid/ask exact rationals in ticks (impact-price.ts), X the index in
 * subticks, P in 1e-8. A side that cannot fill the impact notional (null) makes
 * the sample 0.
 *
 * Rounding: toward zero, to 1e-8 (neither payer nor receiver is favoured).
 *
 * Example (RISK-SPEC §11.7, index 30,000): impact bid/ask 30,015 / 30,020 →
 * +0.0500% (+50,000 E8); 29,980 / 29,985 → −0.0500%; 29,990 / 30,010 → 0.
 */
import { Rounding, divRoundBig, toSafeNumber } from '@perpcore/domain';
import type { Ratio } from './exact-ratio.js';
import type { MarketRiskParams } from './market-risk-params.js';
import { requirePrice } from './input-guards.js';
import { E8 } from './tier-table.js';

/** The premium and its two published terms, each `… / X` in E8 toward zero. */
export interface PremiumIndexFigures {
  /** `max(0, impactBid − X) / X`. */
  readonly bidExcessE8: number;
  /** `max(0, X − impactAsk) / X`. */
  readonly askShortfallE8: number;
  /** P (computed from the exact difference, so it may differ from bid − ask terms by one 1e-8). */
  readonly premiumE8: number;
}

/** `premiumIndexE8` with its terms; a side that cannot fill gives all zeros. */
export function premiumIndexWithFigures(params: MarketRiskParams, impactBid: Ratio | null, impactAsk: Ratio | null, indexSubticks: number): PremiumIndexFigures {
  const x = BigInt(requirePrice('indexSubticks', indexSubticks));
  if (impactBid === null || impactAsk === null) return ZERO_FIGURES;
  const t = terms(params, impactBid, impactAsk, x);
  const e8 = (v: bigint, name: string) => toSafeNumber(name, divRoundBig(v * BigInt(E8), t.xd, Rounding.TowardZero));
  return Object.freeze({ bidExcessE8: e8(t.above, 'bidExcessE8'), askShortfallE8: e8(t.below, 'askShortfallE8'), premiumE8: e8(t.above - t.below, 'premiumIndexE8') });
}

const ZERO_FIGURES: PremiumIndexFigures = Object.freeze({ bidExcessE8: 0, askShortfallE8: 0, premiumE8: 0 });

/** Both terms over the common denominator `xd` (subticks × bid.den × ask.den). */
function terms(params: MarketRiskParams, impactBid: Ratio, impactAsk: Ratio, x: bigint): { above: bigint; below: bigint; xd: bigint } {
  const spt = BigInt(params.markSubticksPerTick);
  const den = impactBid.den * impactAsk.den;
  const bid = impactBid.num * spt * impactAsk.den;
  const ask = impactAsk.num * spt * impactBid.den;
  const xd = x * den;
  return { above: bid > xd ? bid - xd : 0n, below: xd > ask ? xd - ask : 0n, xd };
}

export function premiumIndexE8(params: MarketRiskParams, impactBid: Ratio | null, impactAsk: Ratio | null, indexSubticks: number): number {
  const x = BigInt(requirePrice('indexSubticks', indexSubticks));
  if (impactBid === null || impactAsk === null) return 0;
  const { above, below, xd } = terms(params, impactBid, impactAsk, x);
  const p = divRoundBig((above - below) * BigInt(E8), xd, Rounding.TowardZero);
  return toSafeNumber('premiumIndexE8', p);
}
