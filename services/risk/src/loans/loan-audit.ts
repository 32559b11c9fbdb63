/**
 * The loans' part of the conservation audit (conservation-audit.ts, issue 13.4), to
 * the unit, per asset:
 * - holdings the stage-wide money sums must add: the lending pool (lent asset; it
 *   is negative while money is lent out) and the collateral locked in loans
 *   (collateral assets);
 * - the lender's book: pool = −lent + principal repaid + interest paid; Σ open
 *   principal = lent − repaid − written off (and the outstanding counter agrees);
 *   Σ open interest = accrued − paid − written off; no loan with a negative amount.
 */
import type { RiskState } from '../risk-state.js';

/** What loans hold of asset a outside the accounts' balances. */
export function loanHeldUnits(s: RiskState, a: number): bigint {
  const book = s.loans;
  if (book === null) return 0n;
  return book.poolUnits[a] + book.lockedCollateralUnits(a);
}

export function loanProblems(s: RiskState): string[] {
  const book = s.loans;
  if (book === null) return [];
  const problems: string[] = [];
  const n = book.poolUnits.length;
  const principal = Array.from({ length: n }, () => 0n);
  const interest = Array.from({ length: n }, () => 0n);
  for (const l of book.loans.values()) {
    if (l.principalUnits < 0 || l.interestUnits < 0 || l.collateralUnits < 0) problems.push(`loan ${l.loanId}: negative amount (principal ${l.principalUnits}, interest ${l.interestUnits}, collateral ${l.collateralUnits})`);
    principal[l.loanAsset] += BigInt(l.principalUnits);
    interest[l.loanAsset] += BigInt(l.interestUnits);
  }
  for (let a = 0; a < n; a++) {
    const code = s.setup.assetCodes[a];
    const pool = -book.lentUnits[a] + book.principalRepaidUnits[a] + book.interestPaidUnits[a];
    if (book.poolUnits[a] !== pool) problems.push(`loans ${code}: pool ${book.poolUnits[a]} ≠ −lent + principal repaid + interest paid ${pool}`);
    const open = book.lentUnits[a] - book.principalRepaidUnits[a] - book.principalWrittenOffUnits[a];
    if (principal[a] !== open) problems.push(`loans ${code}: Σ open principal ${principal[a]} ≠ lent − repaid − written off ${open}`);
    if (BigInt(book.outstandingUnits[a]) !== open) problems.push(`loans ${code}: outstanding counter ${book.outstandingUnits[a]} ≠ ${open}`);
    const owed = book.interestAccruedUnits[a] - book.interestPaidUnits[a] - book.interestWrittenOffUnits[a];
    if (interest[a] !== owed) problems.push(`loans ${code}: Σ open interest ${interest[a]} ≠ accrued − paid − written off ${owed}`);
  }
  return problems;
}
