/**
 * The loans' state: every open loan, the borrow index per lent asset, and the
 * lender's totals that the conservation audit checks (conservation-audit.ts).
 *
 * Money model (per asset, to the unit):
 * - Opening a loan moves the collateral from the borrower's balance into the loan
 *   (`collateralUnits`, still the borrower's) and credits the principal to the
 *   borrower's balance out of the lending pool (`poolUnits` falls by it: the pool is
 *   the venue's lending book, negative while money is lent out).
 * - Interest accrues on the loan (`interestUnits`), not on any balance, until it is
 *   paid: then it moves from the payer to the pool, like repaid principal.
 * - So Σ balances + Σ loan collateral = deposits − withdrawals for a collateral
 *   asset, and Σ settle-asset holdings + pool = deposits − withdrawals for the lent
 *   asset; and pool = −lent + principal repaid + interest paid, Σ open principal =
 *   lent − principal repaid − principal written off, Σ open interest = interest
 *   accrued − paid − written off.
 *
 * Interest index: per lent asset a base (index, hour) fixed by the first loan, and
 * an hourly chain from it (libs/margin loan-interest.ts). `indexAt(ts)` carries a
 * cache forward hour by hour; the cache is a pure function of the base and time, so
 * it is left out of the state hash.
 *
 * Closed loans are removed; loan ids are never reused.
 */
import { LOAN_INTEREST_INDEX_SCALE, type LoanRepaymentSplit, advanceHourlyIndex, hourOf, interestIndexAt, splitLoanRepayment } from '@perpcore/margin';
import type { LoanSetup } from './loan-config.js';

export const LoanStateCode = { Healthy: 0, Called: 1, Liquidating: 2 } as const;

export interface LoanRecord {
  readonly loanId: number;
  readonly accountId: number;
  readonly loanAsset: number;
  readonly collateralAsset: number;
  principalUnits: number;
  interestUnits: number;
  collateralUnits: number;
  /** Borrow index at the last settlement. */
  snapshot: bigint;
  state: number;
}

export class LoanBook {
  /** loan id → loan, in opening order. */
  readonly loans = new Map<number, LoanRecord>();
  nextLoanId = 1;
  /** Per asset index (only lent assets used): the pool, negative while lent out. */
  readonly poolUnits: bigint[];
  readonly lentUnits: bigint[];
  readonly principalRepaidUnits: bigint[];
  readonly interestAccruedUnits: bigint[];
  readonly interestPaidUnits: bigint[];
  readonly principalWrittenOffUnits: bigint[];
  readonly interestWrittenOffUnits: bigint[];
  /** Collateral sold to the buyer, per collateral asset. */
  readonly collateralSeizedUnits: bigint[];
  readonly feesUnits: bigint[];
  /** Outstanding principal per lent asset (a JS number: capped by maxOutstandingUnits). */
  readonly outstandingUnits: number[];
  /** Per asset: base index and hour (0n = not started). */
  readonly baseIndex: bigint[];
  readonly baseHour: number[];
  readonly cachedIndex: bigint[];
  readonly cachedHour: number[];
  liquidations = 0;
  margincalls = 0;
  liquidationsDeferred = 0;

  constructor(
    readonly setup: LoanSetup,
    assetCount: number,
  ) {
    const zeros = () => Array.from({ length: assetCount }, () => 0n);
    this.poolUnits = zeros();
    this.lentUnits = zeros();
    this.principalRepaidUnits = zeros();
    this.interestAccruedUnits = zeros();
    this.interestPaidUnits = zeros();
    this.principalWrittenOffUnits = zeros();
    this.interestWrittenOffUnits = zeros();
    this.collateralSeizedUnits = zeros();
    this.feesUnits = zeros();
    this.baseIndex = zeros();
    this.cachedIndex = zeros();
    this.outstandingUnits = Array.from({ length: assetCount }, () => 0);
    this.baseHour = Array.from({ length: assetCount }, () => 0);
    this.cachedHour = Array.from({ length: assetCount }, () => 0);
  }

  /** The borrow index of lent asset `a` at `tsNs` (1.0 before the first loan of it). */
  indexAt(a: number, tsNs: number): bigint {
    if (this.baseIndex[a] === 0n) return LOAN_INTEREST_INDEX_SCALE;
    const rate = (this.setup.lendable.get(a) as { hourlyRateE8: number }).hourlyRateE8;
    const h = Math.max(hourOf(tsNs), this.baseHour[a]);
    if (h < this.cachedHour[a]) {
      this.cachedIndex[a] = this.baseIndex[a];
      this.cachedHour[a] = this.baseHour[a];
    }
    if (h > this.cachedHour[a]) {
      this.cachedIndex[a] = advanceHourlyIndex(this.cachedIndex[a], this.cachedHour[a], h, rate);
      this.cachedHour[a] = h;
    }
    // a time before the base hour reads the base: the index never falls
    return hourOf(tsNs) < this.baseHour[a] ? this.cachedIndex[a] : interestIndexAt(this.cachedIndex[a], h, rate, tsNs);
  }

  /** Starts asset a's index at the hour of its first loan. */
  startIndex(a: number, tsNs: number): void {
    if (this.baseIndex[a] !== 0n) return;
    this.baseIndex[a] = LOAN_INTEREST_INDEX_SCALE;
    this.baseHour[a] = hourOf(tsNs);
    this.cachedIndex[a] = LOAN_INTEREST_INDEX_SCALE;
    this.cachedHour[a] = this.baseHour[a];
  }

  /** The lender receives `amountUnits` against the loan, interest first (the payer's balance is the caller's). */
  applyRepayment(loan: LoanRecord, amountUnits: number): LoanRepaymentSplit {
    const split = splitLoanRepayment(amountUnits, loan.principalUnits, loan.interestUnits);
    const a = loan.loanAsset;
    loan.interestUnits -= split.interestPaidUnits;
    loan.principalUnits -= split.principalPaidUnits;
    this.poolUnits[a] += BigInt(amountUnits);
    this.interestPaidUnits[a] += BigInt(split.interestPaidUnits);
    this.principalRepaidUnits[a] += BigInt(split.principalPaidUnits);
    this.outstandingUnits[a] -= split.principalPaidUnits;
    return split;
  }

  /** Σ collateral locked in loans of asset a. */
  lockedCollateralUnits(a: number): bigint {
    let total = 0n;
    for (const loan of this.loans.values()) if (loan.collateralAsset === a) total += BigInt(loan.collateralUnits);
    return total;
  }

  /** The loans of one account, in opening order. */
  loansOf(accountId: number): LoanRecord[] {
    return [...this.loans.values()].filter((l) => l.accountId === accountId);
  }

  /**
   * The business state for the stage's hash, in a fixed order; nothing at all while no
   * loan was ever opened, so a stage without loans keeps its hash.
   */
  hashInto(put: (v: number | bigint | string) => void): void {
    if (this.nextLoanId === 1) return;
    put('loans');
    put(this.nextLoanId);
    for (const l of this.loans.values()) {
      for (const v of [l.loanId, l.accountId, l.loanAsset, l.collateralAsset, l.principalUnits, l.interestUnits, l.collateralUnits, l.state]) put(v);
      put(l.snapshot);
    }
    for (let a = 0; a < this.poolUnits.length; a++) {
      for (const v of [this.poolUnits[a], this.lentUnits[a], this.principalRepaidUnits[a], this.interestAccruedUnits[a], this.interestPaidUnits[a], this.principalWrittenOffUnits[a], this.interestWrittenOffUnits[a], this.collateralSeizedUnits[a], this.feesUnits[a], this.baseIndex[a]]) put(v);
      put(this.baseHour[a]);
    }
  }
}
