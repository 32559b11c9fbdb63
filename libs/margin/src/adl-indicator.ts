/**
 * ADL indicator (RISK-SPEC §8), per market and side, advisory.
 *
 * Positions ranked by score (front of the queue first). `cumShare` is the quantity
 * at or ahead of a position over the side's total; `adlBucket = ceil(5 × cumShare)`,
 * 1 (front) to 5; a UI shows `6 − adlBucket` lights. For `LEVERAGE_PNL` the display
 * is Binance's count-based quantile: `ceil(5 × rank / count)` with rank from 1.
 *
 * Rounding: up (a position is never shown further back than it is). Exact integer
 * arithmetic: `ceil(5 × cum / total)` with cum, total ≤ 2^53 / 5.
 *
 * Example: ranked sizes 10, 30, 60 lots → cumShare 0.1, 0.4, 1.0 → buckets 1, 2, 5.
 * `adlQuantileFigures` gives one position's rank, count and quantities with both buckets
 * (the second position: rank 2 of 3, 40 of 100 lots → 2 by quantity, 4 by count).
 */
import { DomainError } from '@perpcore/domain';
import { requirePrice } from './input-guards.js';

/** Buckets 1..5 for positions already in queue order; `out` is filled and returned. */
export function adlBucketsByQuantity(rankedQtyLots: ArrayLike<number>, out: Uint8Array = new Uint8Array(rankedQtyLots.length)): Uint8Array {
  if (out.length < rankedQtyLots.length) throw new DomainError('RISK_INVALID_ARGUMENT', 'out is shorter than the ranked list');
  let total = 0;
  for (let i = 0; i < rankedQtyLots.length; i++) total += requirePrice(`rankedQtyLots[${i}]`, Math.abs(rankedQtyLots[i]));
  if (total * 5 > Number.MAX_SAFE_INTEGER) throw new DomainError('DOMAIN_OUT_OF_RANGE', 'side quantity exceeds the safe range');
  let cum = 0;
  for (let i = 0; i < rankedQtyLots.length; i++) {
    cum += Math.abs(rankedQtyLots[i]);
    out[i] = ceilDiv(5 * cum, total);
  }
  return out;
}

/** Count-based buckets (LEVERAGE_PNL display): ceil(5 × rank / count). */
export function adlBucketsByCount(count: number, out: Uint8Array = new Uint8Array(count)): Uint8Array {
  if (!Number.isSafeInteger(count) || count < 0) throw new DomainError('DOMAIN_NOT_AN_INTEGER', `count must be a non-negative integer, got ${String(count)}`);
  for (let i = 0; i < count; i++) out[i] = ceilDiv(5 * (i + 1), count);
  return out;
}

/** ceil(n / d) for a quotient ≤ 5: the float estimate is off by < 1 and the product check repairs it. */
function ceilDiv(n: number, d: number): number {
  const q = Math.floor(n / d);
  return q * d < n ? q + 1 : q;
}

/** Where one position stands in its side's queue: the figures both indicator readings use. */
export interface AdlQuantileFigures {
  /** 1-based position in queue order. */
  readonly rank: number;
  readonly count: number;
  /** Lots at or ahead of the position, and on the whole side. */
  readonly cumQtyLots: number;
  readonly totalQtyLots: number;
  /** ceil(5 × cum / total) (PNL_X_LEVERAGE display). */
  readonly bucketByQuantity: number;
  /** ceil(5 × rank / count) (Binance's LEVERAGE_PNL display). */
  readonly bucketByCount: number;
}

/** Figures of the position at `index` (0-based) of a side already in queue order. */
export function adlQuantileFigures(rankedQtyLots: ArrayLike<number>, index: number): AdlQuantileFigures {
  const count = rankedQtyLots.length;
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) throw new DomainError('RISK_INVALID_ARGUMENT', `index must be within [0, ${count - 1}], got ${String(index)}`);
  let total = 0;
  let cum = 0;
  for (let i = 0; i < count; i++) {
    total += requirePrice(`rankedQtyLots[${i}]`, Math.abs(rankedQtyLots[i]));
    if (i === index) cum = total;
  }
  if (total * 5 > Number.MAX_SAFE_INTEGER) throw new DomainError('DOMAIN_OUT_OF_RANGE', 'side quantity exceeds the safe range');
  const rank = index + 1;
  return Object.freeze({ rank, count, cumQtyLots: cum, totalQtyLots: total, bucketByQuantity: ceilDiv(5 * cum, total), bucketByCount: ceilDiv(5 * rank, count) });
}
