/**
 * Loans on every index tick of their collateral (market-prices.ts calls
 * `onCollateralPrice`), and after every loan command (`classify`).
 *
 * - Screen, then decide (ARCHITECTURE "float screens, exact decides"): a loan is
 *   screened in float64 (debt grown by the index ratio, banded accepted value) and
 *   skipped while it is clearly inside its current band (a relative margin of 1e-9,
 *   far above float error); otherwise it is valued exactly (bigint) at the tick's
 *   time. The screen allocates nothing per loan.
 * - Transitions only: HEALTHY → CALLED publishes `LoanMarginCallV1`, CALLED →
 *   HEALTHY `LoanMarginCallClearedV1` (interest settled first, so the event's status
 *   is exact); reaching the liquidation LTV liquidates at once.
 * - Liquidation (`liquidate`): interest settled, `planLoanLiquidation` (libs/margin)
 *   sizes the least sale back to the target LTV, else all of it. No spot book exists
 *   for a collateral pair on this branch, so the buyer is the insurance fund at the
 *   index less the sale discount: the fund pays the proceeds and receives the
 *   collateral; the lender receives the repaid debt (interest first), the fee account
 *   the fee, the borrower any surplus. A full liquidation's shortfall is paid by the
 *   fund while it can, the rest written off (both counted for the audit). A fund that
 *   cannot pay the proceeds defers the liquidation to the next tick (counted, nothing
 *   changed), since
 *   its balance may never go below 0. `LoanLiquidatedV1` goes to the borrower's
 *   stream and the fund's.
 * - A loan with neither debt nor collateral left is removed.
 */
import { LoanLtvState, planLoanLiquidation } from '@perpcore/margin';
import { perpcore } from '@perpcore/proto';
import type { MarginWatch } from '../margin-watch/margin-watch.js';
import type { RiskState } from '../risk-state.js';
import { type LoanBook, type LoanRecord, LoanStateCode } from './loan-book.js';
import { loanCollateralSetup, loanDebtAt, loanStatus, settleLoanInterest, valueLoan } from './loan-status.js';

import Ev = perpcore.risk.v1;

const SCREEN_MARGIN = 1e-9;
const E8 = 100_000_000;

export class LoanWatch {
  constructor(
    private readonly s: RiskState,
    private readonly watch: MarginWatch,
  ) {}

  /** The collateral asset `assetIndex`'s index moved: every loan on it is screened. Returns the loans valued exactly. */
  onCollateralPrice(assetIndex: number, tsNs: number): number {
    const book = this.s.loans;
    if (book === null || book.loans.size === 0) return 0;
    const cs = book.setup.collateral.get(assetIndex);
    if (cs === undefined) return 0;
    const c = this.s.setup.collateral[cs.collateralIndex];
    if (c.price === null) return 0;
    const unitValue = c.price.settleUnits / c.price.perAssetUnits;
    const bands = cs.params.haircut.bands;
    let exact = 0;
    // the index ratio of each lent asset, once per tick (only the settle asset is lent)
    const indexNow = Number(book.indexAt(0, tsNs));
    for (const loan of book.loans.values()) {
      if (loan.collateralAsset !== assetIndex) continue;
      const debt = (loan.principalUnits + loan.interestUnits) * (indexNow / Number(loan.snapshot));
      let value = loan.collateralUnits * unitValue;
      let accepted = 0;
      let lower = 0;
      for (let b = 0; b < bands.length && value > lower; b++) {
        const upper = bands[b].upToValueUnits ?? Number.POSITIVE_INFINITY;
        accepted += (Math.min(value, upper) - lower) * (bands[b].ratioE8 / E8);
        lower = upper;
      }
      value = debt * E8;
      const call = cs.params.marginCallLtvE8 * accepted;
      const liquidation = cs.params.liquidationLtvE8 * accepted;
      if (loan.state === LoanStateCode.Healthy && value < call * (1 - SCREEN_MARGIN)) continue;
      if (loan.state === LoanStateCode.Called && value > call * (1 + SCREEN_MARGIN) && value < liquidation * (1 - SCREEN_MARGIN)) continue;
      exact++;
      this.classify(loan, tsNs, true);
    }
    return exact;
  }

  /** Values the loan exactly at `tsNs` and acts on a change of band. */
  classify(loan: LoanRecord, tsNs: number, publish: boolean): void {
    const s = this.s;
    const book = s.loans as LoanBook;
    const v = valueLoan(s, loan, loanDebtAt(book, loan, tsNs));
    if (v.ltvState === LoanLtvState.Liquidating) {
      this.liquidate(book, loan, tsNs);
      return;
    }
    const next = v.ltvState === LoanLtvState.Called ? LoanStateCode.Called : LoanStateCode.Healthy;
    if (next === loan.state) return;
    settleLoanInterest(book, loan, tsNs);
    loan.state = next;
    if (!publish) return;
    const slot = s.accounts.slotOf(loan.accountId);
    if (next === LoanStateCode.Called) {
      book.margincalls++;
      s.events.account(loan.accountId, slot, '', tsNs, { event: 'loanMarginCall', loanMarginCall: { loan: loanStatus(s, loan) } as Ev.LoanMarginCallV1 });
    } else {
      s.events.account(loan.accountId, slot, '', tsNs, { event: 'loanMarginCallCleared', loanMarginCallCleared: { loan: loanStatus(s, loan) } as Ev.LoanMarginCallClearedV1 });
    }
  }

  private liquidate(book: LoanBook, loan: LoanRecord, tsNs: number): void {
    const s = this.s;
    const acc = s.accounts;
    const cs = loanCollateralSetup(s, loan);
    const c = s.setup.collateral[cs.collateralIndex];
    const price = c.price;
    const fundSlot = s.fundSlotById.get(book.setup.fundId) as number;
    if (price === null) return;
    // sized on the debt at this time; nothing is settled unless the sale goes ahead
    const plan = planLoanLiquidation({
      debtUnits: loanDebtAt(book, loan, tsNs),
      collateralUnits: loan.collateralUnits,
      price,
      haircut: cs.params.haircut,
      targetLtvE8: cs.params.targetLtvE8,
      saleDiscountE8: cs.params.saleDiscountE8,
      feeRateE8: cs.params.feeRateE8,
    });
    const a = loan.loanAsset;
    if (plan.proceedsUnits > acc.balances[a][fundSlot]) {
      // retried on the next tick (the screen never skips a loan past its liquidation LTV); nothing changed
      book.liquidationsDeferred++;
      return;
    }
    settleLoanInterest(book, loan, tsNs);
    const borrowerSlot = acc.slotOf(loan.accountId);
    // the sale: fund pays, receives the collateral
    acc.addBalance(fundSlot, a, -plan.proceedsUnits);
    acc.addBalance(fundSlot, loan.collateralAsset, plan.soldUnits);
    loan.collateralUnits -= plan.soldUnits;
    book.collateralSeizedUnits[loan.collateralAsset] += BigInt(plan.soldUnits);
    // the proceeds: debt (interest first), fee, surplus
    const paid = { ...book.applyRepayment(loan, plan.repaidUnits) };
    acc.addBalance(s.feeSlot, a, plan.feeUnits);
    book.feesUnits[a] += BigInt(plan.feeUnits);
    if (plan.surplusUnits > 0) acc.addBalance(borrowerSlot, a, plan.surplusUnits);
    // a shortfall: the fund covers what it can, the rest is written off
    let covered = 0;
    let writtenOff = 0;
    if (plan.shortfallUnits > 0) {
      covered = Math.min(plan.shortfallUnits, Math.max(0, acc.balances[a][fundSlot]));
      if (covered > 0) {
        acc.addBalance(fundSlot, a, -covered);
        const more = book.applyRepayment(loan, covered);
        paid.interestPaidUnits += more.interestPaidUnits;
        paid.principalPaidUnits += more.principalPaidUnits;
      }
      writtenOff = loan.principalUnits + loan.interestUnits;
      book.principalWrittenOffUnits[a] += BigInt(loan.principalUnits);
      book.interestWrittenOffUnits[a] += BigInt(loan.interestUnits);
      book.outstandingUnits[a] -= loan.principalUnits;
      loan.principalUnits = 0;
      loan.interestUnits = 0;
    }
    book.liquidations++;
    const after = valueLoan(s, loan);
    loan.state = after.ltvState === LoanLtvState.Called ? LoanStateCode.Called : LoanStateCode.Healthy;
    const closed = loan.collateralUnits === 0 && loan.principalUnits + loan.interestUnits === 0;
    if (closed) book.loans.delete(loan.loanId);
    const payload = {
      loan: loanStatus(s, loan, closed),
      collateralSoldUnits: plan.soldUnits,
      salePriceSubticks: c.indexSubticks,
      proceedsUnits: plan.proceedsUnits,
      interestPaidUnits: paid.interestPaidUnits,
      principalPaidUnits: paid.principalPaidUnits,
      feeUnits: plan.feeUnits,
      surplusUnits: plan.surplusUnits,
      fundCoveredUnits: covered,
      writtenOffUnits: writtenOff,
      full: plan.full,
      buyerAccountId: acc.ids[fundSlot],
      feeAccountId: acc.ids[s.feeSlot],
      borrowerLoanBalanceAfterUnits: String(acc.balances[a][borrowerSlot]),
      buyerLoanBalanceAfterUnits: String(acc.balances[a][fundSlot]),
      buyerCollateralBalanceAfterUnits: String(acc.balances[loan.collateralAsset][fundSlot]),
    } as Ev.LoanLiquidatedV1;
    // one envelope per stream (the sink stamps the body it is given)
    s.events.account(loan.accountId, borrowerSlot, '', tsNs, { event: 'loanLiquidated', loanLiquidated: payload });
    s.events.account(acc.ids[fundSlot], fundSlot, '', tsNs, { event: 'loanLiquidated', loanLiquidated: payload });
    const r = acc.firstRow[borrowerSlot];
    if (plan.surplusUnits > 0) this.watch.reevaluateAccount(borrowerSlot, r >= 0 ? s.ledger.market[r] : 0, tsNs);
  }
}
