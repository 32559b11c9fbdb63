/**
 * Loan-to-value of a crypto-backed loan (Binance Loans form, RISK-SPEC §10).
 *
 * - Debt value: `debtUnits` of the loan asset (principal + interest) valued at its
 *   index, rounded up.
 * - Accepted collateral: the collateral balance valued at its index after the tiered
 *   haircut (collateral.ts), rounded down.
 * - `LTV = debt value / accepted collateral`, reported in E8 rounded up. Both roundings
 *   are against the borrower: the LTV shown is never below the exact one.
 * - A level is reached when `debtValue × 1e8 ≥ levelE8 × accepted` (exact, bigint):
 *   CALLED at the margin-call LTV, LIQUIDATING at the liquidation LTV. A loan with no
 *   accepted collateral and a debt is LIQUIDATING; with no debt it is HEALTHY.
 * - Distance to a level, in settle units: how much accepted collateral value can be
 *   lost before it is reached, `accepted − ceil(debtValue × 1e8 / level)` (negative
 *   once past it).
 * - Trigger price: the highest index price, on the collateral's subtick grid, at which
 *   the level is reached (the loan asset's price held): the call (or liquidation)
 *   fires once the index is at or below it. Found by bisection on the grid, since the
 *   banded accepted value is monotone in the price; exact at every step.
 *
 * Example (Binance FAQ 360040490772): 100 USDT against 0.01938571 BTC at 7,400 →
 * collateral 143.454254 USDT, LTV 69.71 %; the 80 % call is reached at 6,448.04 and
 * the 90 % liquidation at 5,731.59 (the highest 0.01 USDT prices at which they hold).
 */
import { Rounding, divRoundBig, toSafeNumber } from '@perpcore/domain';
import { type CollateralPrice, type HaircutSchedule, acceptedValueUnits } from './collateral.js';
import { requirePrice, requireUnits } from './input-guards.js';
import { E8 } from './tier-table.js';

const E8N = BigInt(E8);

export const LoanLtvState = {
  Healthy: 0,
  Called: 1,
  Liquidating: 2,
} as const;
export type LoanLtvState = (typeof LoanLtvState)[keyof typeof LoanLtvState];

export interface LoanLevels {
  readonly marginCallLtvE8: number;
  readonly liquidationLtvE8: number;
}

/** Value of `debtUnits` of the loan asset in settle units, rounded up. */
export function loanDebtValueUnits(debtUnits: number, debtPrice: CollateralPrice): number {
  const d = requireUnits('debtUnits', debtUnits);
  requirePrice('debtPrice.perAssetUnits', debtPrice.perAssetUnits);
  return toSafeNumber('debtValueUnits', divRoundBig(BigInt(d) * BigInt(requireUnits('debtPrice.settleUnits', debtPrice.settleUnits)), BigInt(debtPrice.perAssetUnits), Rounding.Ceil));
}

/** Accepted value of the collateral after its haircut, rounded down (never negative). */
export function loanAcceptedCollateralUnits(haircut: HaircutSchedule, collateralUnits: number, price: CollateralPrice): number {
  return collateralUnits <= 0 ? 0 : acceptedValueUnits(haircut, collateralUnits, price);
}

/** LTV in E8, rounded up; `Number.MAX_SAFE_INTEGER` for a debt against nothing accepted. */
export function loanLtvE8(debtValueUnits: number, acceptedUnits: number): number {
  if (debtValueUnits <= 0) return 0;
  if (acceptedUnits <= 0) return Number.MAX_SAFE_INTEGER;
  return toSafeNumber('ltvE8', divRoundBig(BigInt(debtValueUnits) * E8N, BigInt(acceptedUnits), Rounding.Ceil));
}

/** Exact: has the LTV reached `levelE8`? */
export function loanLtvReaches(debtValueUnits: number, acceptedUnits: number, levelE8: number): boolean {
  if (debtValueUnits <= 0) return false;
  return BigInt(debtValueUnits) * E8N >= BigInt(levelE8) * BigInt(Math.max(0, acceptedUnits));
}

export function loanLtvState(debtValueUnits: number, acceptedUnits: number, levels: LoanLevels): LoanLtvState {
  if (loanLtvReaches(debtValueUnits, acceptedUnits, levels.liquidationLtvE8)) return LoanLtvState.Liquidating;
  if (loanLtvReaches(debtValueUnits, acceptedUnits, levels.marginCallLtvE8)) return LoanLtvState.Called;
  return LoanLtvState.Healthy;
}

/** Accepted value the collateral can lose before the LTV reaches `levelE8` (settle units; < 0 once past it). */
export function loanDistanceToLevelUnits(debtValueUnits: number, acceptedUnits: number, levelE8: number): number {
  const needed = divRoundBig(BigInt(Math.max(0, debtValueUnits)) * E8N, BigInt(levelE8), Rounding.Ceil);
  return toSafeNumber('distanceUnits', BigInt(acceptedUnits) - needed);
}

/** The most a loan of the settle asset may borrow against `acceptedUnits` at `initialLtvE8` (rounded down). */
export function loanMaxBorrowValueUnits(acceptedUnits: number, initialLtvE8: number): number {
  return toSafeNumber('maxBorrowUnits', divRoundBig(BigInt(Math.max(0, acceptedUnits)) * BigInt(initialLtvE8), E8N, Rounding.Floor));
}

/**
 * The least collateral, at most `maxCollateralUnits`, whose accepted value reaches
 * `neededAcceptedUnits`; `null` when even the most does not. Rounded in the venue's
 * favour by construction: one unit less would not back the need. Sizes a borrow given
 * its loan amount (need = `ceil(debt × 1e8 / initial LTV)`) and the collateral a
 * repayment lets go. Bisection on the units, since the banded accepted value is
 * monotone in the amount; exact at every step.
 */
export function loanLeastCollateralUnits(haircut: HaircutSchedule, price: CollateralPrice, neededAcceptedUnits: number, maxCollateralUnits: number): number | null {
  if (neededAcceptedUnits <= 0) return 0;
  if (maxCollateralUnits <= 0 || loanAcceptedCollateralUnits(haircut, maxCollateralUnits, price) < neededAcceptedUnits) return null;
  let lo = 0; // falls short
  let hi = maxCollateralUnits; // reaches
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (loanAcceptedCollateralUnits(haircut, mid, price) >= neededAcceptedUnits) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The accepted value a debt needs to stay within `levelE8`: `ceil(debtValue × 1e8 / level)`. */
export function loanAcceptedNeededUnits(debtValueUnits: number, levelE8: number): number {
  if (debtValueUnits <= 0) return 0;
  return toSafeNumber('neededAcceptedUnits', divRoundBig(BigInt(debtValueUnits) * E8N, BigInt(levelE8), Rounding.Ceil));
}

/** The collateral's index on its subtick grid: `settleUnitsPerSubtick / perAssetUnits` settle units per asset unit per subtick. */
export interface LoanPriceGrid {
  readonly settleUnitsPerSubtick: number;
  readonly perAssetUnits: number;
}

const MAX_SUBTICKS = 2 ** 52;

/**
 * The highest index (subticks) at which the LTV reaches `levelE8` for this debt and
 * collateral: 0 if it is reached only at a zero price (no debt), `MAX_SUBTICKS`
 * if it is reached at any price on the grid.
 */
export function loanTriggerSubticks(debtValueUnits: number, haircut: HaircutSchedule, collateralUnits: number, grid: LoanPriceGrid, levelE8: number): number {
  if (debtValueUnits <= 0) return 0;
  const reachesAt = (subticks: number): boolean =>
    loanLtvReaches(debtValueUnits, loanAcceptedCollateralUnits(haircut, collateralUnits, { settleUnits: subticks * grid.settleUnitsPerSubtick, perAssetUnits: grid.perAssetUnits }), levelE8);
  // bracket: lo reaches, hi does not (the accepted value only grows with the price)
  let lo = 0;
  let hi = 1;
  while (reachesAt(hi)) {
    lo = hi;
    if (hi * 2 * grid.settleUnitsPerSubtick > Number.MAX_SAFE_INTEGER || hi >= MAX_SUBTICKS) return hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (reachesAt(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
