/**
 * Configuration of crypto-backed loans (issue 13.2), validated once with the rest of
 * the risk setup (risk-config.ts): a bad key fails with a message naming it.
 *
 * - `lendable`: the assets the venue lends, each with its hourly interest rate (E8)
 *   and a cap on the principal outstanding. Only the settle asset for now: the
 *   liquidation buyer (the insurance fund) pays in the settle asset.
 * - `collateral`: per accepted collateral asset (which must be a configured
 *   collateral asset, so the index feed already prices it) its initial, margin-call,
 *   liquidation and target LTVs and haircut bands (libs/margin loan-params.ts).
 * - `saleDiscountE8`, `feeRateE8`: the liquidation terms; `fundId`: the insurance
 *   fund that buys seized collateral and covers a full liquidation's shortfall.
 */
import { DomainError } from '@perpcore/domain';
import { type LoanCollateralParams, type LoanCollateralParamsInput, createLoanCollateralParams } from '@perpcore/margin';

export interface LendableAssetConfig {
  readonly asset: string;
  readonly hourlyRateE8: number;
  readonly maxOutstandingUnits: number;
}

export interface LoanConfig {
  readonly lendable: readonly LendableAssetConfig[];
  readonly collateral: readonly LoanCollateralParamsInput[];
  readonly saleDiscountE8: number;
  readonly feeRateE8: number;
  readonly fundId: string;
}

export interface LoanCollateralSetup {
  /** Asset index (≥ 1) and its position in the risk setup's collateral list. */
  readonly assetIndex: number;
  readonly collateralIndex: number;
  readonly params: LoanCollateralParams;
}

export interface LendableSetup {
  readonly assetIndex: number;
  readonly hourlyRateE8: number;
  readonly maxOutstandingUnits: number;
}

export interface LoanSetup {
  /** By asset index; undefined where the asset is not lent. */
  readonly lendable: ReadonlyMap<number, LendableSetup>;
  /** By asset index; undefined where the asset is not accepted as loan collateral. */
  readonly collateral: ReadonlyMap<number, LoanCollateralSetup>;
  readonly fundId: string;
}

function bad(key: string, why: string): never {
  throw new DomainError('RISK_INVALID_CONFIG', `${key} ${why}`);
}

export interface LoanSetupContext {
  readonly assetIndex: ReadonlyMap<string, number>;
  /** Asset index of each configured collateral asset, in order. */
  readonly collateralAssets: readonly number[];
  readonly fundIds: ReadonlySet<string>;
}

export function createLoanSetup(config: LoanConfig | undefined, ctx: LoanSetupContext): LoanSetup | null {
  if (config === undefined) return null;
  const lendable = new Map<number, LendableSetup>();
  config.lendable.forEach((l, i) => {
    const key = `loans.lendable[${i}]`;
    const a = ctx.assetIndex.get(l.asset);
    if (a === undefined) bad(`${key}.asset`, `${JSON.stringify(l.asset)} is not a configured asset`);
    if (a !== 0) bad(`${key}.asset`, `only the settle asset can be lent (the liquidation buyer pays in it), got ${l.asset}`);
    if (lendable.has(a)) bad(`${key}.asset`, `repeats ${l.asset}`);
    if (!Number.isSafeInteger(l.hourlyRateE8) || l.hourlyRateE8 < 0 || l.hourlyRateE8 > 100_000_000) bad(`${key}.hourlyRateE8`, `must be an integer in [0, 1e8], got ${String(l.hourlyRateE8)}`);
    if (!Number.isSafeInteger(l.maxOutstandingUnits) || l.maxOutstandingUnits <= 0) bad(`${key}.maxOutstandingUnits`, `must be a positive safe integer, got ${String(l.maxOutstandingUnits)}`);
    lendable.set(a, Object.freeze({ assetIndex: a, hourlyRateE8: l.hourlyRateE8, maxOutstandingUnits: l.maxOutstandingUnits }));
  });
  if (lendable.size === 0) bad('loans.lendable', 'must name at least one asset');
  const collateral = new Map<number, LoanCollateralSetup>();
  config.collateral.forEach((c, i) => {
    const key = `loans.collateral[${i}]`;
    const a = ctx.assetIndex.get(c.asset);
    const collateralIndex = a === undefined ? -1 : ctx.collateralAssets.indexOf(a);
    if (a === undefined || collateralIndex < 0) bad(`${key}.asset`, `${JSON.stringify(c.asset)} is not a configured collateral asset (it needs an index market)`);
    if (collateral.has(a)) bad(`${key}.asset`, `repeats ${c.asset}`);
    const params = createLoanCollateralParams(c, { saleDiscountE8: config.saleDiscountE8, feeRateE8: config.feeRateE8 });
    collateral.set(a, Object.freeze({ assetIndex: a, collateralIndex, params }));
  });
  if (!ctx.fundIds.has(config.fundId)) bad('loans.fundId', `${JSON.stringify(config.fundId)} is not a configured insurance fund`);
  return Object.freeze({ lendable, collateral, fundId: config.fundId });
}
