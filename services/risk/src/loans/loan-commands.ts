/**
 * Loan commands (AccountCommandV1 tags 25-29, issue 13.2), dispatched from
 * account-commands.ts, which answers each with `AccountCommandAcceptedV1` or
 * `AccountCommandRejectedV1`. Every check runs before anything changes, so a reject
 * changes nothing (the state hash is pinned by a test).
 *
 * - Open: a lendable loan asset, an accepted collateral asset with an index, positive
 *   amounts (one may be 0: sized at the initial LTV, see `sizeOpen`), collateral ≤
 *   the account's balance and its removal leaving the cross scope's available margin
 *   ≥ 0 (the collateral may back perps today); the LTV after ≤ the collateral's
 *   initial LTV (exact: principal × 1e8 ≤ initial × accepted);
 *   the venue's cap on outstanding principal; the borrower's balance bound.
 *   Publishes `LoanOpenedV1`.
 * - Add collateral: the borrower's own open loan (RISK_LOAN_NOT_OWNER otherwise);
 *   the same balance and margin checks. Publishes `LoanCollateralAddedV1`; a called
 *   loan whose LTV falls below the call is cleared at once.
 * - Remove collateral: the borrower's own loan; some collateral stays (all of it is a
 *   close); the LTV after, with the interest owed now, within the initial LTV (exact);
 *   the balance bound. Publishes `LoanCollateralRemovedV1`.
 * - Repay: interest settled first at the command's time; amount ≤ principal +
 *   interest (RISK_LOAN_REPAY_ABOVE_DEBT) and ≤ what the cross scope can withdraw;
 *   interest first, then principal. Publishes `LoanRepaidV1`; with
 *   `returnCollateral`, the collateral the repayment frees comes back in the same
 *   command (`collateralFreedBy`), published as `LoanCollateralRemovedV1`.
 * - Close: repays everything owed (same withdrawable check), returns the collateral
 *   and removes the loan. Publishes `LoanClosedV1`.
 * After each, the account's perp scopes are re-evaluated (balances moved).
 */
import { Rounding, divRoundBig } from '@perpcore/domain';
import { type CollateralPrice, loanAcceptedCollateralUnits, loanAcceptedNeededUnits, loanDebtValueUnits, loanLeastCollateralUnits, loanLtvReaches, loanMaxBorrowValueUnits, withdrawableUnits } from '@perpcore/margin';
import type { AccountCommandV1 } from '@perpcore/proto';
import { perpcore } from '@perpcore/proto';
import { AccountKind } from '../accounts/account-book.js';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';
import type { MarginWatch } from '../margin-watch/margin-watch.js';
import { RiskReject, RiskRejection } from '../risk-reject-codes.js';
import type { RiskState } from '../risk-state.js';
import { type LoanBook, type LoanRecord, LoanStateCode } from './loan-book.js';
import { LoanReject } from './loan-reject-codes.js';
import type { LoanCollateralSetup } from './loan-config.js';
import { SETTLE_PRICE, loanCollateralSetup, loanDebtAt, loanStatus, settleLoanInterest, valueLoan } from './loan-status.js';
import type { LoanWatch } from './loan-watch.js';

import Cmd = perpcore.risk.v1;

export class LoanCommands {
  constructor(
    private readonly s: RiskState,
    private readonly watch: MarginWatch,
    private readonly loanWatch: LoanWatch,
  ) {}

  /** Runs one loan command; throws RiskRejection (nothing changed) or publishes its events. */
  run(cmd: AccountCommandV1): string {
    const book = this.s.loans;
    if (book === null) throw new RiskRejection(LoanReject.LoansDisabled, 'this stage has no loan configuration');
    switch (cmd.command) {
      case 'openLoan':
        this.open(book, cmd, cmd.openLoan as Cmd.OpenLoanV1);
        break;
      case 'addLoanCollateral':
        this.addCollateral(book, cmd, cmd.addLoanCollateral as Cmd.AddLoanCollateralV1);
        break;
      case 'repayLoan':
        this.repay(book, cmd, cmd.repayLoan as Cmd.RepayLoanV1);
        break;
      case 'removeLoanCollateral':
        this.removeCollateral(book, cmd, cmd.removeLoanCollateral as Cmd.RemoveLoanCollateralV1);
        break;
      case 'closeLoan':
        this.close(book, cmd, (cmd.closeLoan as Cmd.CloseLoanV1).loanId);
        break;
      default:
        throw new RiskRejection(RiskReject.InvalidCommand, 'not a loan command');
    }
    const slot = this.s.accounts.slotOf(cmd.accountId);
    const r = this.s.accounts.firstRow[slot];
    this.watch.reevaluateAccount(slot, r >= 0 ? this.s.ledger.market[r] : 0, cmd.tsNs);
    return '';
  }

  private open(book: LoanBook, cmd: AccountCommandV1, o: Cmd.OpenLoanV1): void {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const loanAsset = this.asset(o.loanAsset);
    const collateralAsset = this.asset(o.collateralAsset);
    const lendable = book.setup.lendable.get(loanAsset);
    if (lendable === undefined) throw new RiskRejection(LoanReject.AssetNotLendable, `${o.loanAsset} is not lent by this venue`);
    const cs = book.setup.collateral.get(collateralAsset);
    if (cs === undefined) throw new RiskRejection(LoanReject.CollateralNotAccepted, `${o.collateralAsset} is not accepted as loan collateral`);
    const price = s.setup.collateral[cs.collateralIndex].price;
    if (price === null) throw new RiskRejection(LoanReject.NoIndexPrice, `${o.collateralAsset} has no index price yet`);
    const { principal, collateral } = this.sizeOpen(o, cs, price, s.accounts.balances[collateralAsset][slot]);
    if (book.outstandingUnits[loanAsset] + principal > lendable.maxOutstandingUnits) {
      throw new RiskRejection(LoanReject.LendingCapReached, `lending ${principal} would take ${o.loanAsset}'s outstanding principal ${book.outstandingUnits[loanAsset]} above the cap ${lendable.maxOutstandingUnits}`);
    }
    const draft: LoanRecord = { loanId: book.nextLoanId, accountId: cmd.accountId, loanAsset, collateralAsset, principalUnits: principal, interestUnits: 0, collateralUnits: collateral, snapshot: book.indexAt(loanAsset, cmd.tsNs), state: LoanStateCode.Healthy };
    const v = valueLoan(s, draft);
    if (loanLtvReaches(v.debtValueUnits, v.acceptedUnits, cs.params.initialLtvE8 + 1)) {
      throw new RiskRejection(LoanReject.LtvAboveInitial, `borrowing ${principal} against ${collateral} ${o.collateralAsset} (accepted ${v.acceptedUnits}) exceeds the initial LTV ${cs.params.initialLtvE8} E8`);
    }
    this.requireBalanceRoom(slot, loanAsset, principal, 'the loan');
    this.requireCollateralMovable(slot, collateralAsset, collateral);
    // apply
    book.startIndex(loanAsset, cmd.tsNs);
    draft.snapshot = book.indexAt(loanAsset, cmd.tsNs);
    book.nextLoanId++;
    book.loans.set(draft.loanId, draft);
    s.accounts.addBalance(slot, collateralAsset, -collateral);
    s.accounts.addBalance(slot, loanAsset, principal);
    book.poolUnits[loanAsset] -= BigInt(principal);
    book.lentUnits[loanAsset] += BigInt(principal);
    book.outstandingUnits[loanAsset] += principal;
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, {
      event: 'loanOpened',
      loanOpened: {
        loan: loanStatus(s, draft),
        loanBalanceAfterUnits: String(s.accounts.balances[loanAsset][slot]),
        collateralBalanceAfterUnits: String(s.accounts.balances[collateralAsset][slot]),
      } as Cmd.LoanOpenedV1,
    });
  }

  /**
   * Both amounts of an open, one of them sized when it is 0 (Binance's borrow takes
   * either) at the initial LTV and this index: the most principal the collateral's
   * accepted value backs, rounded down; or the least collateral whose accepted value
   * backs the principal, rounded up. Either passes the open's own LTV check.
   */
  private sizeOpen(o: Cmd.OpenLoanV1, cs: LoanCollateralSetup, price: CollateralPrice, balanceUnits: number): { principal: number; collateral: number } {
    const principalUnits = Number(o.principalUnits);
    const collateralUnits = Number(o.collateralUnits);
    if (principalUnits === 0 && collateralUnits === 0) throw new RiskRejection(RiskReject.InvalidAmount, 'principalUnits and collateralUnits are both 0: give at least one');
    if (principalUnits === 0) {
      const collateral = this.amount('collateralUnits', collateralUnits);
      const principal = loanMaxBorrowValueUnits(loanAcceptedCollateralUnits(cs.params.haircut, collateral, price), cs.params.initialLtvE8);
      if (principal <= 0) throw new RiskRejection(RiskReject.InvalidAmount, `${collateral} ${o.collateralAsset} backs no principal at the initial LTV ${cs.params.initialLtvE8} E8`);
      return { principal, collateral };
    }
    const principal = this.amount('principalUnits', principalUnits);
    if (collateralUnits !== 0) return { principal, collateral: this.amount('collateralUnits', collateralUnits) };
    const collateral = loanLeastCollateralUnits(cs.params.haircut, price, loanAcceptedNeededUnits(loanDebtValueUnits(principal, SETTLE_PRICE), cs.params.initialLtvE8), balanceUnits);
    if (collateral === null) throw new RiskRejection(RiskReject.InsufficientBalance, `backing ${principal} within the initial LTV ${cs.params.initialLtvE8} E8 needs more than the ${balanceUnits} ${o.collateralAsset} balance`);
    return { principal, collateral };
  }

  private addCollateral(book: LoanBook, cmd: AccountCommandV1, a: Cmd.AddLoanCollateralV1): void {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const loan = this.ownLoan(book, cmd.accountId, a.loanId);
    const amount = this.amount('amountUnits', a.amountUnits);
    this.requireCollateralMovable(slot, loan.collateralAsset, amount);
    settleLoanInterest(book, loan, cmd.tsNs);
    s.accounts.addBalance(slot, loan.collateralAsset, -amount);
    loan.collateralUnits += amount;
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, {
      event: 'loanCollateralAdded',
      loanCollateralAdded: { loan: loanStatus(s, loan), amountUnits: amount, collateralBalanceAfterUnits: String(s.accounts.balances[loan.collateralAsset][slot]) } as Cmd.LoanCollateralAddedV1,
    });
    this.loanWatch.classify(loan, cmd.tsNs, true);
  }

  private removeCollateral(book: LoanBook, cmd: AccountCommandV1, r: Cmd.RemoveLoanCollateralV1): void {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const loan = this.ownLoan(book, cmd.accountId, r.loanId);
    const amount = this.amount('amountUnits', r.amountUnits);
    const asset = s.setup.assetCodes[loan.collateralAsset];
    if (amount >= loan.collateralUnits) throw new RiskRejection(LoanReject.CollateralAllRemoved, `removing ${amount} of loan ${loan.loanId}'s ${loan.collateralUnits} ${asset} leaves none: repay and close the loan`);
    const cs = loanCollateralSetup(s, loan);
    if (s.setup.collateral[cs.collateralIndex].price === null) throw new RiskRejection(LoanReject.NoIndexPrice, `${asset} has no index price yet`);
    // the interest owed now counts, settled or not: the check reads, the apply below settles
    const after = valueLoan(s, loan, loanDebtAt(book, loan, cmd.tsNs), loan.collateralUnits - amount);
    if (loanLtvReaches(after.debtValueUnits, after.acceptedUnits, cs.params.initialLtvE8 + 1)) {
      throw new RiskRejection(LoanReject.LtvAboveInitial, `removing ${amount} ${asset} would take loan ${loan.loanId}'s LTV above the initial ${cs.params.initialLtvE8} E8 (accepted ${after.acceptedUnits} against debt ${after.debtValueUnits})`);
    }
    this.requireBalanceRoom(slot, loan.collateralAsset, amount, 'returning the collateral');
    settleLoanInterest(book, loan, cmd.tsNs);
    this.returnToBalance(cmd, slot, loan, amount);
    this.loanWatch.classify(loan, cmd.tsNs, true);
  }

  private repay(book: LoanBook, cmd: AccountCommandV1, r: Cmd.RepayLoanV1): void {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const loan = this.ownLoan(book, cmd.accountId, r.loanId);
    const amount = this.amount('amountUnits', r.amountUnits);
    const owed = loanDebtAt(book, loan, cmd.tsNs);
    if (amount > owed) throw new RiskRejection(LoanReject.RepayAboveDebt, `repayment ${amount} exceeds loan ${loan.loanId}'s debt ${owed} (principal + interest)`);
    this.requirePayable(slot, loan.loanAsset, amount);
    const released = r.returnCollateral ? this.collateralFreedBy(loan, owed, owed - amount) : 0;
    this.requireBalanceRoom(slot, loan.collateralAsset, released, 'returning the freed collateral');
    settleLoanInterest(book, loan, cmd.tsNs);
    s.accounts.addBalance(slot, loan.loanAsset, -amount);
    const split = book.applyRepayment(loan, amount);
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, {
      event: 'loanRepaid',
      loanRepaid: { loan: loanStatus(s, loan), interestPaidUnits: split.interestPaidUnits, principalPaidUnits: split.principalPaidUnits, loanBalanceAfterUnits: String(s.accounts.balances[loan.loanAsset][slot]) } as Cmd.LoanRepaidV1,
    });
    if (released > 0) this.returnToBalance(cmd, slot, loan, released);
    this.loanWatch.classify(loan, cmd.tsNs, true);
  }

  /** Moves `amount` of the loan's collateral back to the balance (checked by the caller) and publishes `LoanCollateralRemovedV1`. */
  private returnToBalance(cmd: AccountCommandV1, slot: number, loan: LoanRecord, amount: number): void {
    const s = this.s;
    loan.collateralUnits -= amount;
    s.accounts.addBalance(slot, loan.collateralAsset, amount);
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, {
      event: 'loanCollateralRemoved',
      loanCollateralRemoved: { loan: loanStatus(s, loan), amountUnits: amount, collateralBalanceAfterUnits: String(s.accounts.balances[loan.collateralAsset][slot]) } as Cmd.LoanCollateralRemovedV1,
    });
  }

  /** The balance bound: crediting `amount` of `asset` must keep the account's balance within its maximum. */
  private requireBalanceRoom(slot: number, asset: number, amount: number, what: string): void {
    const s = this.s;
    const balance = s.accounts.balances[asset][slot];
    const maxBalance = s.setup.limits.maxBalanceUnits[asset];
    if (amount > maxBalance - balance) {
      throw new RiskRejection(RiskReject.BalanceAboveMax, `${what} (${amount}) would take account ${s.accounts.ids[slot]}'s ${s.setup.assetCodes[asset]} balance ${balance} above its maximum ${maxBalance}`);
    }
  }

  /**
   * The collateral a repayment from `debtBeforeUnits` to `debtAfterUnits` frees: all
   * but the least whose accepted value keeps the LTV at or below both its level
   * before (exact cross-multiplication: after × acceptedBefore ≤ before × accepted)
   * and the initial LTV. A loan already past its initial LTV frees only what takes it
   * back under it; one unit always stays (a close ends the loan).
   */
  private collateralFreedBy(loan: LoanRecord, debtBeforeUnits: number, debtAfterUnits: number): number {
    const s = this.s;
    const cs = loanCollateralSetup(s, loan);
    const price = s.setup.collateral[cs.collateralIndex].price;
    if (price === null) throw new RiskRejection(LoanReject.NoIndexPrice, `${s.setup.assetCodes[loan.collateralAsset]} has no index price yet: repay without returning collateral`);
    const before = valueLoan(s, loan, debtBeforeUnits);
    const afterValueUnits = loanDebtValueUnits(debtAfterUnits, SETTLE_PRICE);
    const keepsRatio = before.debtValueUnits <= 0 ? 0 : Number(divRoundBig(BigInt(afterValueUnits) * BigInt(before.acceptedUnits), BigInt(before.debtValueUnits), Rounding.Ceil));
    const need = Math.max(keepsRatio, loanAcceptedNeededUnits(afterValueUnits, cs.params.initialLtvE8));
    const least = loanLeastCollateralUnits(cs.params.haircut, price, need, loan.collateralUnits);
    return least === null ? 0 : loan.collateralUnits - Math.max(1, least);
  }

  private close(book: LoanBook, cmd: AccountCommandV1, loanId: number): void {
    const s = this.s;
    const slot = this.trader(cmd.accountId);
    const loan = this.ownLoan(book, cmd.accountId, loanId);
    const owed = loanDebtAt(book, loan, cmd.tsNs);
    this.requirePayable(slot, loan.loanAsset, owed);
    settleLoanInterest(book, loan, cmd.tsNs);
    s.accounts.addBalance(slot, loan.loanAsset, -owed);
    const split = book.applyRepayment(loan, owed);
    const returned = loan.collateralUnits;
    s.accounts.addBalance(slot, loan.collateralAsset, returned);
    loan.collateralUnits = 0;
    book.loans.delete(loan.loanId);
    s.events.account(cmd.accountId, slot, '', cmd.tsNs, {
      event: 'loanClosed',
      loanClosed: {
        loan: loanStatus(s, loan, true),
        interestPaidUnits: split.interestPaidUnits,
        principalPaidUnits: split.principalPaidUnits,
        collateralReturnedUnits: returned,
        loanBalanceAfterUnits: String(s.accounts.balances[loan.loanAsset][slot]),
        collateralBalanceAfterUnits: String(s.accounts.balances[loan.collateralAsset][slot]),
      } as Cmd.LoanClosedV1,
    });
  }

  /** The settle asset leaves the cross wallet: at most what the cross scope can withdraw. */
  private requirePayable(slot: number, asset: number, amount: number): void {
    const s = this.s;
    const balance = s.accounts.balances[asset][slot];
    if (amount > balance) throw new RiskRejection(RiskReject.InsufficientBalance, `paying ${amount} exceeds the ${s.setup.assetCodes[asset]} balance ${balance}`);
    if (asset !== 0) return;
    const ev = s.evaluator;
    const res = ev.evaluateCross(slot);
    const free = withdrawableUnits(balance - ev.pendingFundingUnits, res.equityUnits, ev.initialUnits);
    if (amount > free) throw new RiskRejection(RiskReject.WithdrawBelowIm, `paying ${amount} exceeds the ${free} the cross scope can release above initial margin ${ev.initialUnits}`);
  }

  /** Collateral leaves the balance: at most the balance, and the cross scope keeps available margin ≥ 0. */
  private requireCollateralMovable(slot: number, asset: number, amount: number): void {
    const s = this.s;
    const balance = s.accounts.balances[asset][slot];
    if (amount > balance) throw new RiskRejection(RiskReject.InsufficientBalance, `collateral ${amount} exceeds the ${s.setup.assetCodes[asset]} balance ${balance}`);
    if (s.accounts.crossState[slot] === MarginStateCode.Liquidating) throw new RiskRejection(RiskReject.AccountLiquidating, `account ${s.accounts.ids[slot]} is being liquidated`);
    s.accounts.addBalance(slot, asset, -amount);
    const res = s.evaluator.evaluateCross(slot);
    const available = res.equityUnits - s.evaluator.initialUnits;
    s.accounts.addBalance(slot, asset, amount);
    if (available < 0) throw new RiskRejection(RiskReject.WithdrawBelowIm, `moving ${amount} ${s.setup.assetCodes[asset]} into a loan would leave available margin ${available}`);
  }

  private ownLoan(book: LoanBook, accountId: number, loanId: number): LoanRecord {
    const loan = book.loans.get(loanId);
    if (loan === undefined) throw new RiskRejection(LoanReject.UnknownLoan, `no open loan has id ${String(loanId)}`);
    if (loan.accountId !== accountId) throw new RiskRejection(LoanReject.NotOwner, `loan ${loanId} is not account ${accountId}'s`);
    return loan;
  }

  private trader(accountId: number): number {
    const slot = this.s.accounts.slotOf(accountId);
    if (slot < 0) throw new RiskRejection(RiskReject.UnknownAccount, `account ${accountId} does not exist`);
    if (this.s.accounts.kind[slot] !== AccountKind.Trader) throw new RiskRejection(RiskReject.SystemAccount, `account ${accountId} is a system account`);
    return slot;
  }

  private asset(code: string): number {
    const a = this.s.setup.assetIndex.get(code);
    if (a === undefined) throw new RiskRejection(RiskReject.UnknownAsset, `asset ${JSON.stringify(code)} is not known`);
    return a;
  }

  private amount(name: string, value: number): number {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RiskRejection(RiskReject.InvalidAmount, `${name} must be a positive safe integer, got ${String(value)}`);
    return value;
  }
}
