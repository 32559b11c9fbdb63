/**
 * Used margin of one borrow (Kraken's rule; RISK-SPEC §10).
 *
 * - Borrowing the settle asset funds a long: its used margin is fixed at entry,
 *   `ceil(entryUnits / L)` settle units, whatever the price does later.
 * - Borrowing any other asset funds a short: its used margin is held in the borrowed
 *   coin, `entryUnits / L` of it, and revalued at the current index price:
 *   `ceil(entryUnits × settleUnits / (L × perAssetUnits))`, one rounding, up.
 * `entryUnits` is the principal borrowed (interest excluded: it is owed, and counts in
 * equity as debt, but it does not carry margin).
 *
 * Example (Kraken, short 0.2 BTC at 5×): used margin 0.04 BTC; at 65,200 USD it is
 * 2,608 USD.
 */
import { Rounding, divRoundBig, requireNonNegativeInteger, requirePositiveInteger, toSafeNumber } from '@perpcore/domain';
import type { CollateralPrice } from '../collateral.js';

export function spotUsedMarginUnits(entryUnits: number, leverage: number, isSettleAsset: boolean, price: CollateralPrice): number {
  const entry = BigInt(requireNonNegativeInteger('entryUnits', entryUnits));
  const lev = BigInt(requirePositiveInteger('leverage', leverage));
  if (isSettleAsset) return toSafeNumber('usedMarginUnits', divRoundBig(entry, lev, Rounding.Ceil));
  const num = entry * BigInt(requireNonNegativeInteger('price.settleUnits', price.settleUnits));
  return toSafeNumber('usedMarginUnits', divRoundBig(num, lev * BigInt(requirePositiveInteger('price.perAssetUnits', price.perAssetUnits)), Rounding.Ceil));
}
