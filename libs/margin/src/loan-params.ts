/**
 * Crypto-backed loan parameters per collateral asset (Binance Loans form, RISK-SPEC
 * §10): a loan of the lendable asset against one collateral asset.
 *
 * - `initialLtvE8`: the most a loan may borrow when it opens (or, later, the LTV a
 *   withdrawal of collateral could not pass; this venue has no collateral withdrawal).
 * - `marginCallLtvE8`: at or above it the loan is CALLED (a warning event).
 * - `liquidationLtvE8`: at or above it collateral is sold until the LTV is back at
 *   `targetLtvE8` (partial before full).
 * - `haircut`: tiered bands on the collateral's value (collateral.ts); the LTV's
 *   denominator is the accepted value after it.
 * - Liquidation terms (per venue): `saleDiscountE8`, the discount below index at which
 *   the insurance fund buys seized collateral where no book exists; `feeRateE8`, the
 *   liquidation fee on the debt a sale repays (Binance: 1 % of the loan amount).
 *
 * Invariants checked here: 0 < target ≤ initial < call < liquidation < sale factor,
 * where the sale factor `(1 − d) / (1 + f)` is what one unit of collateral value
 * repays when sold. Liquidation below the sale factor means a sale always lowers the
 * LTV (so the search for the amount to sell is monotone, loan-liquidation.ts), and a
 * loan caught at its liquidation LTV is always covered by its collateral.
 *
 * Example (Binance's BTC row): initial 65 %, call 80 %, liquidation 90 %, fee 1 %,
 * fund discount 5 %: sale factor 0.95 / 1.01 = 94.06 % > 90 %.
 */
import { DomainError } from '@perpcore/domain';
import type { HaircutSchedule } from './collateral.js';
import { RiskErrorCode } from './risk-error-codes.js';
import { E8 } from './tier-table.js';

export interface LoanCollateralParamsInput {
  readonly asset: string;
  readonly initialLtvE8: number;
  readonly marginCallLtvE8: number;
  readonly liquidationLtvE8: number;
  /** The LTV a liquidation restores; default the initial LTV. */
  readonly targetLtvE8?: number;
  readonly haircut: HaircutSchedule;
}

export interface LoanLiquidationTerms {
  readonly saleDiscountE8: number;
  readonly feeRateE8: number;
}

export interface LoanCollateralParams extends LoanLiquidationTerms {
  readonly asset: string;
  readonly initialLtvE8: number;
  readonly marginCallLtvE8: number;
  readonly liquidationLtvE8: number;
  readonly targetLtvE8: number;
  readonly haircut: HaircutSchedule;
}

function reject(key: string, why: string): never {
  throw new DomainError(RiskErrorCode.InvalidMarketParams, `${key} ${why}`);
}

function ratioE8(key: string, value: unknown, allowZero: boolean): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1) || value >= E8) {
    reject(key, `must be an integer in [${allowZero ? 0 : 1}, 1e8), got ${String(value)}`);
  }
  return value;
}

/** Validated, frozen parameters; a bad key throws RISK_INVALID_MARKET_PARAMS naming it. */
export function createLoanCollateralParams(input: LoanCollateralParamsInput, terms: LoanLiquidationTerms): LoanCollateralParams {
  const key = `loans.collateral.${input.asset}`;
  if (input.haircut.asset !== input.asset) reject(`${key}.haircut`, `was built for ${input.haircut.asset}`);
  const initial = ratioE8(`${key}.initialLtvE8`, input.initialLtvE8, false);
  const call = ratioE8(`${key}.marginCallLtvE8`, input.marginCallLtvE8, false);
  const liquidation = ratioE8(`${key}.liquidationLtvE8`, input.liquidationLtvE8, false);
  const target = ratioE8(`${key}.targetLtvE8`, input.targetLtvE8 ?? initial, false);
  const saleDiscountE8 = ratioE8('loans.saleDiscountE8', terms.saleDiscountE8, true);
  const feeRateE8 = ratioE8('loans.feeRateE8', terms.feeRateE8, true);
  if (!(initial < call)) reject(`${key}.marginCallLtvE8`, `must be above the initial LTV ${initial}, got ${call}`);
  if (!(call < liquidation)) reject(`${key}.liquidationLtvE8`, `must be above the margin-call LTV ${call}, got ${liquidation}`);
  if (target > initial) reject(`${key}.targetLtvE8`, `must not exceed the initial LTV ${initial}, got ${target}`);
  // liquidation < (1 − d) / (1 + f), exactly: L × (1e8 + f) < (1e8 − d) × 1e8
  if (BigInt(liquidation) * BigInt(E8 + feeRateE8) >= BigInt(E8 - saleDiscountE8) * BigInt(E8)) {
    reject(`${key}.liquidationLtvE8`, `must be below the sale factor (1 − saleDiscount) / (1 + fee) so a sale always lowers the LTV, got ${liquidation}`);
  }
  return Object.freeze({ asset: input.asset, initialLtvE8: initial, marginCallLtvE8: call, liquidationLtvE8: liquidation, targetLtvE8: target, haircut: input.haircut, saleDiscountE8, feeRateE8 });
}
