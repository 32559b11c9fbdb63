/**
 * Spot-margin parameters (issue 13.1; RISK-SPEC §6, §10): Kraken-style levels on
 * `level = equity / used margin`, per-asset borrow terms and per-account limits.
 *
 * Invariants (checked at load, errors name the key):
 * - `liquidationLevelE8 < marginCallLevelE8 ≤ openLevelE8` (Kraken: 40 % < 80 % ≤ 100 %:
 *   a borrow must leave the level at or above 100 %);
 * - every borrowable asset has `maxLeverage ≥ 1`, `hourlyRateE8 ≥ 0` and a per-account
 *   borrow limit `maxBorrowUnits > 0` in its own units;
 * - `maxAccountDebtValueUnits > 0` caps the account's total debt valued in the settle asset;
 * - `liquidationFeeRateE8` in [0, 1e8]: the fee on the value a liquidation sells.
 */
import { DomainError } from '@perpcore/domain';
import { LevelBasis } from '../market-risk-params.js';
import type { ScopeLevels } from '../margin-level.js';
import { RiskErrorCode } from '../risk-error-codes.js';
import { E8 } from '../tier-table.js';

export interface SpotBorrowTermsInput {
  readonly asset: string;
  readonly maxLeverage: number;
  readonly hourlyRateE8: number;
  readonly maxBorrowUnits: number;
}

export interface SpotMarginParamsInput {
  readonly settleAsset: string;
  readonly marginCallLevelE8?: number;
  readonly liquidationLevelE8?: number;
  readonly openLevelE8?: number;
  readonly liquidationFeeRateE8?: number;
  readonly maxAccountDebtValueUnits: number;
  readonly borrowable: readonly SpotBorrowTermsInput[];
}

export type SpotBorrowTerms = SpotBorrowTermsInput;

export interface SpotMarginParams {
  readonly settleAsset: string;
  readonly levels: ScopeLevels;
  readonly openLevelE8: number;
  readonly liquidationFeeRateE8: number;
  readonly maxAccountDebtValueUnits: number;
  readonly borrowable: ReadonlyMap<string, SpotBorrowTerms>;
}

export const KRAKEN_MARGIN_CALL_LEVEL_E8 = 80_000_000;
export const KRAKEN_LIQUIDATION_LEVEL_E8 = 40_000_000;
export const KRAKEN_OPEN_LEVEL_E8 = 100_000_000;

function reject(key: string, why: string): never {
  throw new DomainError(RiskErrorCode.InvalidMarketParams, `spotMargin.${key} ${why}`);
}

function integerIn(key: string, value: unknown, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) reject(key, `must be an integer in [${min}, ${max}], got ${String(value)}`);
  return value as number;
}

export function createSpotMarginParams(input: SpotMarginParamsInput): SpotMarginParams {
  const call = integerIn('marginCallLevelE8', input.marginCallLevelE8 ?? KRAKEN_MARGIN_CALL_LEVEL_E8, 1, 100 * E8);
  const liquidation = integerIn('liquidationLevelE8', input.liquidationLevelE8 ?? KRAKEN_LIQUIDATION_LEVEL_E8, 1, 100 * E8);
  const open = integerIn('openLevelE8', input.openLevelE8 ?? KRAKEN_OPEN_LEVEL_E8, 1, 100 * E8);
  if (liquidation >= call) reject('liquidationLevelE8', `${liquidation} must be below marginCallLevelE8 ${call}`);
  if (open < call) reject('openLevelE8', `${open} must be at least marginCallLevelE8 ${call}`);
  const fee = integerIn('liquidationFeeRateE8', input.liquidationFeeRateE8 ?? 2_000_000, 0, E8);
  const maxDebt = integerIn('maxAccountDebtValueUnits', input.maxAccountDebtValueUnits, 1, Number.MAX_SAFE_INTEGER);
  if (typeof input.settleAsset !== 'string' || input.settleAsset === '') reject('settleAsset', 'must be a non-empty asset code');
  const borrowable = new Map<string, SpotBorrowTerms>();
  for (const [i, t] of (input.borrowable ?? []).entries()) {
    const key = `borrowable[${i}]`;
    if (typeof t.asset !== 'string' || t.asset === '') reject(`${key}.asset`, 'must be a non-empty asset code');
    if (borrowable.has(t.asset)) reject(`${key}.asset`, `${t.asset} is listed twice`);
    borrowable.set(
      t.asset,
      Object.freeze({
        asset: t.asset,
        maxLeverage: integerIn(`${key}.maxLeverage`, t.maxLeverage, 1, 100),
        hourlyRateE8: integerIn(`${key}.hourlyRateE8`, t.hourlyRateE8, 0, E8),
        maxBorrowUnits: integerIn(`${key}.maxBorrowUnits`, t.maxBorrowUnits, 1, Number.MAX_SAFE_INTEGER),
      }),
    );
  }
  return Object.freeze({
    settleAsset: input.settleAsset,
    levels: Object.freeze({ levelBasis: LevelBasis.IM, marginCallLevelE8: call, liquidationLevelE8: liquidation, takeoverLevelE8: null }),
    openLevelE8: open,
    liquidationFeeRateE8: fee,
    maxAccountDebtValueUnits: maxDebt,
    borrowable,
  });
}
