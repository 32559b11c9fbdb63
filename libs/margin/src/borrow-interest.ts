/**
 * Borrow interest: a per-asset cumulative interest index, settled lazily like
 * funding (funding-index.ts is the pattern). Shared by spot margin, crypto-backed
 * loans and DeFi-style lending.
 *
 * - Rate: `hourlyRateE8`, a simple per-hour rate in 1e-8 (10,000 = 0.01 %/h).
 * - Index: `I`, a cumulative growth factor scaled by `INTEREST_INDEX_SCALE` (1e18);
 *   an asset's index starts at `INTEREST_INDEX_SCALE` (= 1.0). Over `Δt` ns at a
 *   constant rate it grows by the simple-interest factor
 *   `I' = I + ceil(I × r × Δt / (1e8 × NS_PER_HOUR))`. Accruing at several points
 *   compounds between them, so the owner of the index accrues it at deterministic
 *   points (the service's hour ticks and rate changes), never at arbitrary touches.
 * - Snapshot: each borrow keeps `principalUnits` and `I_snap` (the index when it was
 *   last settled). Its debt is `D = ceil(principal × I_now / I_snap)`.
 * - Settlement (on every touch of the borrow): principal ← D, I_snap ← I_now; the
 *   interest `D − principal` is the lender's (venue's) income.
 * - Rounding: against the borrower everywhere: the index increment and the debt are
 *   rounded up, so a borrower never owes less than the exact simple interest; each
 *   settlement adds at most one unit over the exact figure.
 *
 * Example: 10,000 USDT (1e10 units at 6 decimals) at 0.001 %/h (1,000 E8) for 24 h:
 * I = 1e18 × (1 + 0.00024) = 1.00024e18 → D = 10,002.4 USDT, interest 2.4 USDT.
 */
import { DomainError, Rounding, divRoundBig, requireNonNegativeInteger } from '@perpcore/domain';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';
import { requireSafeResult } from './input-guards.js';

/** The index's fixed scale: 1.0 = 1e18. */
export const INTEREST_INDEX_SCALE = 10n ** 18n;
export const NS_PER_HOUR = 3_600_000_000_000;

const RATE_TIME_SCALE = BigInt(E8) * BigInt(NS_PER_HOUR);

/** Refuses an index below 1.0 (an index only ever grows from its start). */
export function requireInterestIndex(name: string, index: unknown): bigint {
  if (typeof index !== 'bigint' || index < INTEREST_INDEX_SCALE) {
    throw new DomainError(RiskErrorCode.InvalidArgument, `${name} must be a bigint index ≥ INTEREST_INDEX_SCALE (got ${String(index)})`);
  }
  return index;
}

/** The index after `elapsedNs` at `hourlyRateE8` (simple interest over the interval, rounded up). */
export function accrueIndex(index: bigint, hourlyRateE8: number, elapsedNs: number | bigint): bigint {
  const i = requireInterestIndex('index', index);
  const rate = BigInt(requireNonNegativeInteger('hourlyRateE8', hourlyRateE8));
  const dt = requireElapsedNs(elapsedNs);
  return i + divRoundBig(i * rate * dt, RATE_TIME_SCALE, Rounding.Ceil);
}

/** Elapsed time: a non-negative integer ns (bigint allowed: 2^53 ns is only ~104 days). */
function requireElapsedNs(elapsedNs: number | bigint): bigint {
  if (typeof elapsedNs === 'bigint') {
    if (elapsedNs < 0n) throw new DomainError('DOMAIN_NEGATIVE', `elapsedNs must be ≥ 0 (got ${elapsedNs})`);
    return elapsedNs;
  }
  return BigInt(requireNonNegativeInteger('elapsedNs', elapsedNs));
}

function requireOrderedIndices(indexAtBorrow: bigint, indexNow: bigint): void {
  requireInterestIndex('indexAtBorrow', indexAtBorrow);
  requireInterestIndex('indexNow', indexNow);
  if (indexNow < indexAtBorrow) {
    throw new DomainError(RiskErrorCode.InvalidArgument, `indexNow ${indexNow} is below indexAtBorrow ${indexAtBorrow}: an index never falls`);
  }
}

/** D = ceil(principal × I_now / I_snap): what the borrow is owed as of `indexNow`, in units. */
export function debtUnits(principalUnits: number, indexAtBorrow: bigint, indexNow: bigint): number {
  const p = BigInt(requireNonNegativeInteger('principalUnits', principalUnits));
  requireOrderedIndices(indexAtBorrow, indexNow);
  return requireSafeResult('debtUnits', Number(divRoundBig(p * indexNow, indexAtBorrow, Rounding.Ceil)));
}

/** D − principal: interest accrued since the snapshot, rounded up. */
export function interestDueUnits(principalUnits: number, indexAtBorrow: bigint, indexNow: bigint): number {
  return debtUnits(principalUnits, indexAtBorrow, indexNow) - principalUnits;
}

export interface InterestSettlement {
  /** The borrow's principal after settlement (= its debt now). */
  readonly principalUnits: number;
  /** Interest moved from the borrower to the lender by this settlement. */
  readonly interestUnits: number;
  /** The borrow's new snapshot: I_now. */
  readonly snapshot: bigint;
}

/** Settles a borrow's accrued interest at `indexNow` (call on every touch). */
export function settleInterest(principalUnits: number, snapshot: bigint, indexNow: bigint): InterestSettlement {
  const debt = debtUnits(principalUnits, snapshot, indexNow);
  return Object.freeze({ principalUnits: debt, interestUnits: debt - principalUnits, snapshot: indexNow });
}
