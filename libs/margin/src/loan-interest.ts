/**
 * Loan interest on the shared borrow index (borrow-interest.ts), accrued at
 * deterministic points only: whole hours since the epoch. A touch between two hours
 * reads the index through `interestIndexAt` without storing it, so how often a loan
 * is touched never changes what it owes (the index compounds hourly, at the hour
 * boundaries, whatever the inputs between them).
 *
 * - `advanceHourlyIndex(index, fromHour, toHour, rate)`: the stored index carried
 *   hour by hour (`I_{h+1} = accrueIndex(I_h, r, 1 h)`, rounded up each hour).
 * - `interestIndexAt(indexAtHour, hour, rate, tsNs)`: the index at a time inside
 *   that hour (simple interest over the partial hour, rounded up); equals the next
 *   hour's stored index at the boundary, and never falls.
 * - `accrueLoanInterest(principal, interest, snapshot, indexNow)`: the loan's debt
 *   `ceil((principal + interest) × I_now / I_snap)` (borrow-interest.ts `debtUnits`),
 *   the growth added to its interest: never in the borrower's favour.
 *
 * Repayment order (Binance Loans): interest first, then principal
 * (`splitLoanRepayment`).
 *
 * Example: 10,000 USDT at 1,000 E8 (0.001 %/h) over 24 h → 10,002.400…3 USDT, the
 * hourly compounding adding a few micro-USDT over simple interest.
 */
import { DomainError } from '@perpcore/domain';
import { NS_PER_HOUR, accrueIndex, debtUnits } from './borrow-interest.js';
import { RiskErrorCode } from './risk-error-codes.js';

/** The whole hour (since the epoch) holding `tsNs`. */
export function hourOf(tsNs: number): number {
  return Math.floor(tsNs / NS_PER_HOUR);
}

export function advanceHourlyIndex(index: bigint, fromHour: number, toHour: number, hourlyRateE8: number): bigint {
  if (toHour < fromHour) throw new DomainError(RiskErrorCode.InvalidArgument, `the interest index cannot move back from hour ${fromHour} to ${toHour}`);
  let i = index;
  for (let h = fromHour; h < toHour; h++) i = accrueIndex(i, hourlyRateE8, NS_PER_HOUR);
  return i;
}

export function interestIndexAt(indexAtHour: bigint, hour: number, hourlyRateE8: number, tsNs: number): bigint {
  const into = tsNs - hour * NS_PER_HOUR;
  if (into < 0 || into >= NS_PER_HOUR) throw new DomainError(RiskErrorCode.InvalidArgument, `time ${tsNs} is not inside hour ${hour}`);
  return accrueIndex(indexAtHour, hourlyRateE8, into);
}

export interface LoanInterestAccrual {
  readonly interestUnits: number;
  /** Interest added by this accrual. */
  readonly accruedUnits: number;
}

export function accrueLoanInterest(principalUnits: number, interestUnits: number, snapshot: bigint, indexNow: bigint): LoanInterestAccrual {
  const owed = principalUnits + interestUnits;
  const after = debtUnits(owed, snapshot, indexNow);
  return { interestUnits: interestUnits + (after - owed), accruedUnits: after - owed };
}

export interface LoanRepaymentSplit {
  readonly interestPaidUnits: number;
  readonly principalPaidUnits: number;
}

/** Interest first, then principal; `amountUnits` must not exceed principal + interest. */
export function splitLoanRepayment(amountUnits: number, principalUnits: number, interestUnits: number): LoanRepaymentSplit {
  if (amountUnits > principalUnits + interestUnits) throw new DomainError(RiskErrorCode.InvalidArgument, `repayment ${amountUnits} exceeds the debt ${principalUnits + interestUnits}`);
  const interestPaidUnits = Math.min(amountUnits, interestUnits);
  return { interestPaidUnits, principalPaidUnits: amountUnits - interestPaidUnits };
}
