/**
 * Mark price (RISK-SPEC §5.2), in subticks (`markSubticksPerTick` per tick).
 *
 * `MEDIAN3` (default):
 * ```
 * P1 = X × (1 + F × τ / T_f)     F = last applied interval rate, τ = time to the next funding, T_f = interval
 * P2 = X + mean of the last n_b samples of (mid − X)      n_b = markBasisWindowS / markBasisSampleS
 * P3 = last trade price
 * M  = median(P1, P2, P3)        a missing P2 (empty book) or P3 (no trade yet) is replaced by X
 * ```
 * `FAIR_BASIS` (BitMEX): M = P1, with F the upcoming rate. `INDEX` (dYdX): M = X.
 *
 * Basis samples: `(mid − X)` may be a half subtick (mid of two ticks with an odd
 * spt), so samples are integers in half-subticks: `markBasisSampleHalfSubticks =
 * (bid + ask) × spt − 2X`. The caller keeps the last n_b (a ring) and passes their
 * sum and count.
 *
 * Rounding: every component is an exact rational; the median is rounded once,
 * half-to-even, to a subtick. The reported components are rounded the same way
 * (for the breach event's record). A non-positive result is refused.
 *
 * Example (RISK-SPEC §11.5): X 30,000.00, F +0.0100%, 4 h of 8 h to go, basis mean
 * +3.00, last trade 30,010.00 → P1 30,001.50, P2 30,003.00, P3 30,010.00,
 * M = 30,003.00; with last trade 30,002.00, M = 30,002.00. The funding basis is
 * 0.01% × 4/8 = 0.005% (5,000 E8).
 */
import { DomainError, Rounding, divRoundBig, requireNonNegativeInteger, requireSafeInteger, toSafeNumber } from '@perpcore/domain';
import { type Ratio, compareRatios } from './exact-ratio.js';
import { type MarketRiskParams, MarkMethod } from './market-risk-params.js';
import { requirePrice } from './input-guards.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';

export interface MarkPriceInput {
  /** X, the index in subticks. */
  readonly indexSubticks: number;
  /** MEDIAN3: the last applied interval rate; FAIR_BASIS: the upcoming rate (E8). */
  readonly fundingRateE8: number;
  /** τ in ms, 0..fundingIntervalS × 1000. */
  readonly timeToFundingMs: number;
  /** Σ of the last basis samples (half-subticks); ignored when the count is 0. */
  readonly basisSumHalfSubticks: number;
  /** Number of samples in the sum (0 = empty book: P2 is replaced by X). */
  readonly basisSampleCount: number;
  /** Last trade in ticks, or null before the first trade (P3 replaced by X). */
  readonly lastTradeTicks: number | null;
}

export interface MarkPrice {
  readonly markSubticks: number;
  readonly method: MarkMethod;
  /** Components rounded half-to-even (substituted ones equal X). */
  readonly p1Subticks: number;
  readonly p2Subticks: number;
  readonly p3Subticks: number;
  /**
   * BitMEX's funding basis `F × τ / T_f` (E8, toward zero): P1 = X × (1 + basis).
   * Figure only: P1 itself is computed from the exact product.
   */
  readonly fundingBasisE8: number;
}

/** One basis sample `(mid − X)` in half-subticks: `(bid + ask) × spt − 2X`. */
export function markBasisSampleHalfSubticks(params: MarketRiskParams, bestBidTicks: number, bestAskTicks: number, indexSubticks: number): number {
  const bid = requirePrice('bestBidTicks', bestBidTicks);
  const ask = requirePrice('bestAskTicks', bestAskTicks);
  const x = requirePrice('indexSubticks', indexSubticks);
  const sample = (bid + ask) * params.markSubticksPerTick - 2 * x;
  if (!Number.isSafeInteger(sample)) throw new DomainError('DOMAIN_OUT_OF_RANGE', 'basis sample exceeds the safe-integer range');
  return sample;
}

function roundHalfEven(r: Ratio): number {
  return toSafeNumber('markSubticks', divRoundBig(r.num, r.den, Rounding.HalfEven));
}

function median(a: Ratio, b: Ratio, c: Ratio): Ratio {
  const ab = compareRatios(a, b);
  const bc = compareRatios(b, c);
  if ((ab <= 0 && bc <= 0) || (ab >= 0 && bc >= 0)) return b;
  const ac = compareRatios(a, c);
  if ((ab >= 0 && ac <= 0) || (ab <= 0 && ac >= 0)) return a;
  return c;
}

export function computeMarkPrice(params: MarketRiskParams, input: MarkPriceInput): MarkPrice {
  const x = BigInt(requirePrice('indexSubticks', input.indexSubticks));
  const rate = requireSafeInteger('fundingRateE8', input.fundingRateE8);
  const tau = requireNonNegativeInteger('timeToFundingMs', input.timeToFundingMs);
  const intervalMs = params.fundingIntervalS * 1000;
  if (tau > intervalMs) throw new DomainError(RiskErrorCode.InvalidArgument, `timeToFundingMs ${tau} exceeds the funding interval ${intervalMs}`);
  const count = requireNonNegativeInteger('basisSampleCount', input.basisSampleCount);
  const sum = requireSafeInteger('basisSumHalfSubticks', input.basisSumHalfSubticks);
  const last = input.lastTradeTicks === null ? null : requirePrice('lastTradeTicks', input.lastTradeTicks);

  const xr: Ratio = { num: x, den: 1n };
  const tf = BigInt(intervalMs) * BigInt(E8);
  const p1: Ratio = { num: x * (tf + BigInt(rate) * BigInt(tau)), den: tf };
  const p2: Ratio = count === 0 ? xr : { num: 2n * BigInt(count) * x + BigInt(sum), den: 2n * BigInt(count) };
  const p3: Ratio = last === null ? xr : { num: BigInt(last) * BigInt(params.markSubticksPerTick), den: 1n };
  let m: Ratio;
  switch (params.markMethod) {
    case MarkMethod.Median3:
      m = median(p1, p2, p3);
      break;
    case MarkMethod.FairBasis:
      m = p1;
      break;
    case MarkMethod.Index:
      m = xr;
      break;
  }
  const markSubticks = roundHalfEven(m);
  if (!(markSubticks > 0) || !Number.isSafeInteger(markSubticks)) {
    throw new DomainError(RiskErrorCode.InvalidArgument, `${params.symbol}: mark price ${markSubticks} subticks is not a positive safe integer`);
  }
  return Object.freeze({
    markSubticks,
    method: params.markMethod,
    p1Subticks: roundHalfEven(p1),
    p2Subticks: roundHalfEven(p2),
    p3Subticks: roundHalfEven(p3),
    fundingBasisE8: Number(divRoundBig(BigInt(rate) * BigInt(tau), BigInt(intervalMs), Rounding.TowardZero)),
  });
}
