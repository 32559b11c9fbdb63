/**
 * A loan's answers to the three questions (issue 13.4), as carried by every loan
 * event (`LoanStatusV1`) and the account query:
 * 1. accepted collateral after the haircut (and the debt it backs, both in settle
 *    units);
 * 2. the index feed that controls the trigger: the collateral's index market;
 * 3. LTV now, the call and liquidation LTVs, the distance to each in value and the
 *    collateral index price at which each is reached (loanTriggerSubticks).
 *
 * Also the interest settlement of a loan at a time (`settleLoanInterest`): the debt
 * grows to `ceil((principal + interest) × I_now / I_snap)` and the growth is added to
 * the interest and to the book's accrued total, so the audit can follow it.
 * Off the hot path: the price-tick screen (loan-watch.ts) calls this only for loans
 * near a line.
 */
import {
  LoanLtvState,
  accrueLoanInterest,
  loanAcceptedCollateralUnits,
  loanDebtValueUnits,
  loanDistanceToLevelUnits,
  loanLtvE8,
  loanLtvState,
  loanTriggerSubticks,
} from '@perpcore/margin';
import { perpcore } from '@perpcore/proto';
import type { RiskState } from '../risk-state.js';
import type { LoanBook, LoanRecord } from './loan-book.js';
import type { LoanCollateralSetup } from './loan-config.js';

/** The loan asset's price in settle units: loans lend the settle asset (1:1). */
export const SETTLE_PRICE = { settleUnits: 1, perAssetUnits: 1 };

export interface LoanValuation {
  readonly debtValueUnits: number;
  readonly acceptedUnits: number;
  readonly ltvState: LoanLtvState;
}

/** Settles the loan's interest at `tsNs` (the index never moves back for it). */
export function settleLoanInterest(book: LoanBook, loan: LoanRecord, tsNs: number): void {
  const now = book.indexAt(loan.loanAsset, tsNs);
  const index = now > loan.snapshot ? now : loan.snapshot;
  const accrual = accrueLoanInterest(loan.principalUnits, loan.interestUnits, loan.snapshot, index);
  loan.interestUnits = accrual.interestUnits;
  loan.snapshot = index;
  book.interestAccruedUnits[loan.loanAsset] += BigInt(accrual.accruedUnits);
}

/** What the loan owes at `tsNs` (principal + interest), without settling: reading changes nothing. */
export function loanDebtAt(book: LoanBook, loan: LoanRecord, tsNs: number): number {
  const now = book.indexAt(loan.loanAsset, tsNs);
  const index = now > loan.snapshot ? now : loan.snapshot;
  const owed = loan.principalUnits + loan.interestUnits;
  return index === loan.snapshot ? owed : owed + accrueLoanInterest(loan.principalUnits, loan.interestUnits, loan.snapshot, index).accruedUnits;
}

export function loanCollateralSetup(s: RiskState, loan: LoanRecord): LoanCollateralSetup {
  return (s.loans as LoanBook).setup.collateral.get(loan.collateralAsset) as LoanCollateralSetup;
}

/** Debt value and accepted collateral at the current index (the loan's interest as settled). */
export function valueLoan(s: RiskState, loan: LoanRecord, debtUnits = loan.principalUnits + loan.interestUnits, collateralUnits = loan.collateralUnits): LoanValuation {
  const cs = loanCollateralSetup(s, loan);
  const price = s.setup.collateral[cs.collateralIndex].price;
  const debtValueUnits = loanDebtValueUnits(debtUnits, SETTLE_PRICE);
  const acceptedUnits = price === null ? 0 : loanAcceptedCollateralUnits(cs.params.haircut, collateralUnits, price);
  return { debtValueUnits, acceptedUnits, ltvState: loanLtvState(debtValueUnits, acceptedUnits, cs.params) };
}

const WIRE_STATE = [perpcore.risk.v1.LoanLtvState.LOAN_LTV_STATE_HEALTHY, perpcore.risk.v1.LoanLtvState.LOAN_LTV_STATE_CALLED, perpcore.risk.v1.LoanLtvState.LOAN_LTV_STATE_LIQUIDATING];

export function loanStatus(s: RiskState, loan: LoanRecord, closed = false): perpcore.risk.v1.LoanStatusV1 {
  const cs = loanCollateralSetup(s, loan);
  const c = s.setup.collateral[cs.collateralIndex];
  const p = cs.params;
  const v = valueLoan(s, loan);
  const grid = { settleUnitsPerSubtick: c.settleUnitsPerSubtick, perAssetUnits: c.perAssetUnits };
  return perpcore.risk.v1.LoanStatusV1.create({
    loanId: loan.loanId,
    loanAsset: s.setup.assetCodes[loan.loanAsset],
    collateralAsset: s.setup.assetCodes[loan.collateralAsset],
    principalUnits: loan.principalUnits,
    interestUnits: loan.interestUnits,
    collateralUnits: loan.collateralUnits,
    state: closed ? perpcore.risk.v1.LoanLtvState.LOAN_LTV_STATE_CLOSED : WIRE_STATE[loan.state],
    debtValueUnits: v.debtValueUnits,
    acceptedCollateralUnits: v.acceptedUnits,
    ltvE8: Math.min(loanLtvE8(v.debtValueUnits, v.acceptedUnits), Number.MAX_SAFE_INTEGER),
    initialLtvE8: p.initialLtvE8,
    marginCallLtvE8: p.marginCallLtvE8,
    liquidationLtvE8: p.liquidationLtvE8,
    priceMarket: s.markets[c.indexMarket].symbol,
    indexSubticks: c.indexSubticks,
    callPriceSubticks: loanTriggerSubticks(v.debtValueUnits, p.haircut, loan.collateralUnits, grid, p.marginCallLtvE8),
    liquidationPriceSubticks: loanTriggerSubticks(v.debtValueUnits, p.haircut, loan.collateralUnits, grid, p.liquidationLtvE8),
    distanceToCallUnits: loanDistanceToLevelUnits(v.debtValueUnits, v.acceptedUnits, p.marginCallLtvE8),
    distanceToLiquidationUnits: loanDistanceToLevelUnits(v.debtValueUnits, v.acceptedUnits, p.liquidationLtvE8),
    interestSnapshotScaledUnits: String(loan.snapshot),
  });
}
