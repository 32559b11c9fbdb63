/**
 * Spot-margin liquidation fee: `min(ceil(rate × soldValue), max(0, surplus))`, to the
 * insurance fund. `soldValueUnits` is the settle value the liquidation traded;
 * `surplusUnits` is the account's equity after the liquidation fills and repayments.
 * The cap keeps the fee from creating a deficit the fund would then cover, so the
 * venue is never worse off for charging it; rounded up (the venue's favour) below the cap.
 *
 * Example: 2 % on 28,000 USD sold with 1,000 USD left → 560 USD; with 300 left → 300.
 */
import { Rounding, divRoundBig, requireNonNegativeInteger, requireSafeInteger, toSafeNumber } from '@perpcore/domain';
import { E8 } from '../tier-table.js';

export function spotLiquidationFeeUnits(liquidationFeeRateE8: number, soldValueUnits: number, surplusUnits: number): number {
  const rate = BigInt(requireNonNegativeInteger('liquidationFeeRateE8', liquidationFeeRateE8));
  const sold = BigInt(requireNonNegativeInteger('soldValueUnits', soldValueUnits));
  const surplus = requireSafeInteger('surplusUnits', surplusUnits);
  const fee = toSafeNumber('liquidationFeeUnits', divRoundBig(rate * sold, BigInt(E8), Rounding.Ceil));
  return Math.min(fee, Math.max(0, surplus));
}
