/**
 * How much collateral a loan liquidation sells (RISK-SPEC §10, issue 13.2): the
 * least that brings the LTV back to its target, partial before full.
 *
 * Terms (debt in the settle asset):
 * - Selling `q` collateral units at the sale price (index × (1 − saleDiscount))
 *   yields `proceeds(q) = floor(q × price × (1e8 − d) / 1e8)`: rounded down, the
 *   buyer (the insurance fund) never pays a unit more than the discounted value.
 * - The liquidation fee is `feeRate` of the debt the sale repays:
 *   `repaid = floor(proceeds × 1e8 / (1e8 + f))`, `fee = proceeds − repaid`
 *   (so fee ≥ repaid × f, rounded in the venue's favour).
 * - Done when the debt is repaid, or `(debt − repaid) × 1e8 ≤ target × accepted(C − q)`
 *   (exact). `repaid` grows and `accepted` shrinks with q, so this is monotone and the
 *   least q is found by bisection.
 * - If even the whole collateral does not restore the target, all of it is sold
 *   (`full`), and what is still owed is `shortfallUnits` (bad debt for the venue to
 *   cover; loan-params.ts keeps the liquidation LTV below the sale factor so a loan
 *   caught at its liquidation LTV never has one).
 * - A sale that repays more than the debt pays the debt and its fee exactly and
 *   returns the rest (`surplusUnits`) to the borrower.
 *
 * Venue never worse off: the fund receives collateral worth at least what it paid
 * (at index), the fee account the fee, and the debt falls by exactly what the lender
 * received.
 *
 * Example: debt 900 USDT against 1 BTC at 1,000 (LTV 90 %), target 65 %, discount 5 %,
 * fee 1 %: selling 0.86030665 BTC (proceeds 817.29, repaid 809.20) leaves 90.80
 * against 139.69 of collateral (LTV 65 %).
 */
import { Rounding, divRoundBig, toSafeNumber } from '@perpcore/domain';
import { type CollateralPrice, type HaircutSchedule } from './collateral.js';
import { requirePrice, requireUnits } from './input-guards.js';
import { loanAcceptedCollateralUnits } from './loan-ltv.js';
import type { LoanLiquidationTerms } from './loan-params.js';
import { E8 } from './tier-table.js';

const E8N = BigInt(E8);

export interface LoanLiquidationInput extends LoanLiquidationTerms {
  /** Principal + interest, settle units. */
  readonly debtUnits: number;
  readonly collateralUnits: number;
  readonly price: CollateralPrice;
  readonly haircut: HaircutSchedule;
  readonly targetLtvE8: number;
}

export interface LoanLiquidationPlan {
  readonly soldUnits: number;
  /** What the buyer pays for `soldUnits`. */
  readonly proceedsUnits: number;
  /** Debt repaid (≤ debt). */
  readonly repaidUnits: number;
  readonly feeUnits: number;
  /** Proceeds above debt + fee, returned to the borrower. */
  readonly surplusUnits: number;
  /** Debt still owed after a full liquidation that could not cover it. */
  readonly shortfallUnits: number;
  /** The whole collateral was sold, or the whole debt repaid. */
  readonly full: boolean;
}

/** What the buyer pays for `q` units at the discounted index, rounded down. */
export function loanSaleProceedsUnits(q: number, price: CollateralPrice, saleDiscountE8: number): number {
  return toSafeNumber('proceedsUnits', divRoundBig(BigInt(q) * BigInt(price.settleUnits) * BigInt(E8 - saleDiscountE8), BigInt(price.perAssetUnits) * E8N, Rounding.Floor));
}

/** The debt `proceeds` repay after the fee: floor(proceeds × 1e8 / (1e8 + f)). */
export function loanRepaidByProceedsUnits(proceedsUnits: number, feeRateE8: number): number {
  return toSafeNumber('repaidUnits', divRoundBig(BigInt(proceedsUnits) * E8N, BigInt(E8 + feeRateE8), Rounding.Floor));
}

/** The fee on repaying `repaidUnits` of debt, rounded up. */
export function loanLiquidationFeeUnits(repaidUnits: number, feeRateE8: number): number {
  return toSafeNumber('feeUnits', divRoundBig(BigInt(repaidUnits) * BigInt(feeRateE8), E8N, Rounding.Ceil));
}

export function planLoanLiquidation(input: LoanLiquidationInput): LoanLiquidationPlan {
  const debt = requireUnits('debtUnits', input.debtUnits);
  const collateral = requireUnits('collateralUnits', input.collateralUnits);
  requirePrice('price.perAssetUnits', input.price.perAssetUnits);
  requireUnits('price.settleUnits', input.price.settleUnits);
  const { saleDiscountE8, feeRateE8, haircut, price, targetLtvE8 } = input;
  const repaidAt = (q: number): number => loanRepaidByProceedsUnits(loanSaleProceedsUnits(q, price, saleDiscountE8), feeRateE8);
  const restores = (q: number): boolean => {
    const repaid = repaidAt(q);
    if (repaid >= debt) return true;
    return BigInt(debt - repaid) * E8N <= BigInt(targetLtvE8) * BigInt(loanAcceptedCollateralUnits(haircut, collateral - q, price));
  };
  if (debt <= 0 || collateral <= 0) return finish(0, 0, debt, true, feeRateE8);
  if (!restores(collateral)) return finish(collateral, loanSaleProceedsUnits(collateral, price, saleDiscountE8), debt, true, feeRateE8);
  let lo = 0; // does not restore (q = 0 never does at a breach; checked below)
  let hi = collateral; // restores
  if (restores(0)) return finish(0, 0, debt, false, feeRateE8);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (restores(mid)) hi = mid;
    else lo = mid;
  }
  return finish(hi, loanSaleProceedsUnits(hi, price, saleDiscountE8), debt, hi === collateral, feeRateE8);
}

function finish(sold: number, proceeds: number, debt: number, allSold: boolean, feeRateE8: number): LoanLiquidationPlan {
  const repaidFull = loanRepaidByProceedsUnits(proceeds, feeRateE8);
  if (repaidFull >= debt && debt > 0) {
    const fee = loanLiquidationFeeUnits(debt, feeRateE8);
    return Object.freeze({ soldUnits: sold, proceedsUnits: proceeds, repaidUnits: debt, feeUnits: fee, surplusUnits: proceeds - debt - fee, shortfallUnits: 0, full: true });
  }
  const repaid = Math.min(repaidFull, debt);
  return Object.freeze({ soldUnits: sold, proceedsUnits: proceeds, repaidUnits: repaid, feeUnits: proceeds - repaid, surplusUnits: 0, shortfallUnits: allSold ? debt - repaid : 0, full: allSold });
}
