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

export function premiumIndexE8(params: MarketRiskParams, impactBid: Ratio | null, impactAsk: Ratio | null, indexSubticks: number): number {
  const x = BigInt(requirePrice('indexSubticks', indexSubticks));
  if (impactBid === null || impactAsk === null) return 0;
  const spt = BigInt(params.markSubticksPerTick);
  // everything in subticks over den = bid.den × ask.den
  const den = impactBid.den * impactAsk.den;
  const bid = impactBid.num * spt * impactAsk.den;
  const ask = impactAsk.num * spt * impactBid.den;
  const xd = x * den;
  const above = bid > xd ? bid - xd : 0n;
  const below = xd > ask ? xd - ask : 0n;
  const p = divRoundBig((above - below) * BigInt(E8), xd, Rounding.TowardZero);
  return toSafeNumber('premiumIndexE8', p);
}
