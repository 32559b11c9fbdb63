/**
 * Pre-borrow check: a borrow of `amountUnits` of an asset is accepted only when
 * 1. the asset is borrowable,
 * 2. the account's debt in it stays within the asset's per-account limit,
 * 3. the account's total debt value stays within the per-account limit, and
 * 4. the margin level after the borrow (the borrowed coin credited, owed and carrying
 *    used margin) is at or above the opening level (Kraken: 100 %).
 * Returns null when accepted, else the reject code; bad numbers throw the domain guard.
 */
import { requirePositiveInteger } from '@perpcore/domain';
import { compareProducts } from '../wide-arithmetic.js';
import { E8 } from '../tier-table.js';
import { type SpotHolding, evaluateSpotAccount } from './spot-account-evaluation.js';
import { SpotMarginErrorCode } from './spot-margin-error-codes.js';
import type { SpotMarginParams } from './spot-margin-params.js';

/** The holdings after borrowing `amountUnits` of `asset` (the asset must be among them). */
export function holdingsAfterBorrow(holdings: readonly SpotHolding[], asset: string, amountUnits: number): SpotHolding[] {
  return holdings.map((h) =>
    h.asset === asset ? { ...h, balanceUnits: h.balanceUnits + amountUnits, debtUnits: h.debtUnits + amountUnits, entryUnits: h.entryUnits + amountUnits } : h,
  );
}

export function checkSpotBorrow(params: SpotMarginParams, holdings: readonly SpotHolding[], asset: string, amountUnits: number): SpotMarginErrorCode | null {
  const amount = requirePositiveInteger('amountUnits', amountUnits);
  const terms = params.borrowable.get(asset);
  const current = holdings.find((h) => h.asset === asset);
  if (terms === undefined || current === undefined) return SpotMarginErrorCode.AssetNotBorrowable;
  if (current.debtUnits + amount > terms.maxBorrowUnits) return SpotMarginErrorCode.BorrowLimit;
  const after = evaluateSpotAccount(params, holdingsAfterBorrow(holdings, asset, amount));
  if (after.debtValueUnits > params.maxAccountDebtValueUnits) return SpotMarginErrorCode.AccountDebtLimit;
  // E × 1e8 ≥ open × U, exactly
  if (compareProducts(after.equityUnits, E8, params.openLevelE8, after.usedMarginUnits) < 0) return SpotMarginErrorCode.InsufficientMargin;
  return null;
}
