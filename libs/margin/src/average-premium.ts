/**
 * Average premium over the interval being settled (RISK-SPEC §5.4). Samples
 * `P_1..P_n` (E8), oldest first, one every `premiumSampleS`:
 * - `LINEAR_WEIGHTED` (default): `P̄ = Σ i·P_i / Σ i`, later samples weigh more;
 * - `MEAN` (Hyperliquid, dYdX-like): `P̄ = Σ P_i / n`.
 *
 * Rounding: toward zero, to 1e-8, once. Numbers: the weighted sum is accumulated in
 * bigint (5,760 five-second samples of an 8 h interval already reach 1e15 at
 * a 100% premium). No samples: refused (the caller decides what an empty interval means).
 *
 * Example (RISK-SPEC §11.8): 0.04%, 0.05%, 0.06% → (1×0.04 + 2×0.05 + 3×0.06)% / 6
 * = 0.053333…% → 53,333 E8 (the plain mean, 0.05%, is the wrong answer here).
 */
import { DomainError, Rounding, divRoundBig, requireSafeInteger } from '@perpcore/domain';
import { type PremiumAveraging, PremiumAveraging as Averaging } from './market-risk-params.js';
import { RiskErrorCode } from './risk-error-codes.js';

export function averagePremiumE8(samplesE8: ArrayLike<number>, method: PremiumAveraging): number {
  const n = samplesE8.length;
  if (n === 0) throw new DomainError(RiskErrorCode.InvalidArgument, 'averagePremiumE8 needs at least one sample');
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    const p = BigInt(requireSafeInteger(`samplesE8[${i}]`, samplesE8[i]));
    sum += method === Averaging.LinearWeighted ? BigInt(i + 1) * p : p;
  }
  const weights = method === Averaging.LinearWeighted ? (BigInt(n) * BigInt(n + 1)) / 2n : BigInt(n);
  return Number(divRoundBig(sum, weights, Rounding.TowardZero));
}
