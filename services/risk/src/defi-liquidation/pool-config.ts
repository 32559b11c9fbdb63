/**
 * The lending pool's configuration (RISK-SPEC §10), validated once against the risk
 * stage's assets: a bad key fails with a message naming it (`RISK_INVALID_CONFIG`).
 *
 * Per pool asset (the settle asset or a configured collateral asset, whose oracle
 * index prices it): `ltvE8` (borrowing power), `liquidationThresholdE8` (> LTV, the
 * HF weight), `liquidationBonusE8` (the liquidator's premium on the repaid value),
 * `protocolFeeShareE8` (the venue's share of that bonus, to the insurance fund),
 * `hourlyRateE8` (borrow interest, borrow-interest.ts) and whether it may be borrowed.
 * Pool-wide: the close-factor and dust parameters (`DefiLiquidationParams`, Aave v3
 * defaults 50% / HF 0.95 / 2,000 / 1,000 whole settle coins) and the insurance fund
 * that receives the protocol fees.
 */
import { DomainError } from '@perpcore/domain';
import { type DefiLiquidationParams, E8, validateDefiLiquidationParams } from '@perpcore/margin';
import type { RiskSetup } from '../risk-config.js';

export interface PoolAssetConfig {
  readonly asset: string;
  readonly ltvE8: number;
  readonly liquidationThresholdE8: number;
  readonly liquidationBonusE8: number;
  readonly protocolFeeShareE8: number;
  readonly hourlyRateE8: number;
  readonly borrowable: boolean;
}

export interface LendingPoolConfig {
  readonly assets: readonly PoolAssetConfig[];
  /** Defaults: Aave v3 (50%, 0.95, 2,000 and 1,000 whole settle coins). */
  readonly liquidation?: Partial<DefiLiquidationParams>;
  /** The insurance fund id that receives protocol fees (default: the first market's). */
  readonly insuranceFundId?: string;
}

export interface PoolAssetSetup extends PoolAssetConfig {
  /** Index into the risk stage's assets (0 = settle). */
  readonly assetIndex: number;
  /** Index into `setup.collateral`, −1 for the settle asset (priced 1:1). */
  readonly collateralIndex: number;
}

export interface LendingPoolSetup {
  readonly assets: readonly PoolAssetSetup[];
  /** Risk asset index → pool asset index, −1 when the asset is not in the pool. */
  readonly byAssetIndex: readonly number[];
  readonly liquidation: DefiLiquidationParams;
  readonly insuranceFundId: string;
}

function bad(key: string, why: string): never {
  throw new DomainError('RISK_INVALID_CONFIG', `lendingPool.${key} ${why}`);
}

export function createLendingPoolSetup(config: LendingPoolConfig | undefined, setup: RiskSetup): LendingPoolSetup {
  const byAssetIndex = setup.assetCodes.map(() => -1);
  const coin = 10 ** setup.settleAsset.decimals;
  const liquidation = validateDefiLiquidationParams({
    closeFactorE8: 50_000_000,
    fullCloseHealthFactorE8: 95_000_000,
    fullCloseBelowValueUnits: 2_000 * coin,
    minLeftoverValueUnits: 1_000 * coin,
    ...config?.liquidation,
  });
  const insuranceFundId = config?.insuranceFundId ?? setup.markets[0].risk.insuranceFundId;
  if (!setup.fundAccountIds.has(insuranceFundId)) bad('insuranceFundId', `${insuranceFundId} has no insurance fund account`);
  const assets: PoolAssetSetup[] = [];
  (config?.assets ?? []).forEach((a, i) => {
    const key = `assets[${i}]`;
    const assetIndex = setup.assetIndex.get(a.asset);
    if (assetIndex === undefined) bad(`${key}.asset`, `${JSON.stringify(a.asset)} is neither the settle asset nor a collateral asset`);
    if (byAssetIndex[assetIndex] >= 0) bad(`${key}.asset`, `repeats ${a.asset}`);
    for (const k of ['ltvE8', 'liquidationThresholdE8', 'liquidationBonusE8', 'protocolFeeShareE8'] as const) {
      if (!Number.isSafeInteger(a[k]) || a[k] < 0 || a[k] > E8) bad(`${key}.${k}`, `must be an integer in [0, 1e8], got ${String(a[k])}`);
    }
    if (a.ltvE8 > a.liquidationThresholdE8) bad(`${key}.ltvE8`, `must not exceed liquidationThresholdE8 ${a.liquidationThresholdE8}`);
    // a bonus that pays more than the threshold leaves would make every liquidation lower HF further
    if (a.liquidationThresholdE8 > 0 && BigInt(a.liquidationThresholdE8) * BigInt(E8 + a.liquidationBonusE8) > BigInt(E8) * BigInt(E8)) bad(`${key}.liquidationBonusE8`, 'LT × (1 + bonus) must not exceed 1');
    if (!Number.isSafeInteger(a.hourlyRateE8) || a.hourlyRateE8 < 0 || a.hourlyRateE8 > E8) bad(`${key}.hourlyRateE8`, `must be an integer in [0, 1e8], got ${String(a.hourlyRateE8)}`);
    byAssetIndex[assetIndex] = assets.length;
    assets.push(Object.freeze({ ...a, borrowable: a.borrowable === true, assetIndex, collateralIndex: assetIndex === 0 ? -1 : setup.collateral.findIndex((c) => c.assetIndex === assetIndex) }));
  });
  return Object.freeze({ assets: Object.freeze(assets), byAssetIndex: Object.freeze(byAssetIndex), liquidation, insuranceFundId });
}
