/**
 * How much of `asset` an account could borrow now (Binance's `maxBorrowable`): the
 * largest amount `checkSpotBorrow` accepts, capped by the asset's per-account limit
 * less what is owed and by what the pool holds. Every check a borrow makes only
 * gets harder as the amount grows (more debt against the limits; the level's used
 * margin grows with the debt while the borrowed cash adds at most its own value to
 * equity), so acceptance is monotone in the amount and a binary search finds the
 * exact boundary: the answer is accepted, one unit more is not (or is past a cap).
 * About 53 evaluations of a few holdings: a query, not a hot path.
 */
import { checkSpotBorrow } from './spot-borrow-check.js';
import type { SpotHolding } from './spot-account-evaluation.js';
import type { SpotMarginParams } from './spot-margin-params.js';

export interface SpotMaxBorrow {
  /** The most that would be accepted now, in the asset's units (0: none). */
  readonly amountUnits: number;
  /** The asset's per-account borrow limit (debt included), in its units; 0 when it is not borrowable. */
  readonly limitUnits: number;
}

export function maxSpotBorrow(params: SpotMarginParams, holdings: readonly SpotHolding[], asset: string, poolUnits: number): SpotMaxBorrow {
  const terms = params.borrowable.get(asset);
  const current = holdings.find((h) => h.asset === asset);
  if (terms === undefined || current === undefined) return { amountUnits: 0, limitUnits: terms?.maxBorrowUnits ?? 0 };
  const cap = Math.min(terms.maxBorrowUnits - current.debtUnits, poolUnits);
  const accepted = (amount: number) => checkSpotBorrow(params, holdings, asset, amount) === null;
  if (cap < 1 || !accepted(1)) return { amountUnits: 0, limitUnits: terms.maxBorrowUnits };
  // invariant: accepted(lo), and hi is past the cap or refused
  let lo = 1;
  let hi = cap + 1;
  if (accepted(cap)) lo = cap;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (accepted(mid)) lo = mid;
    else hi = mid;
  }
  return { amountUnits: lo, limitUnits: terms.maxBorrowUnits };
}
