/**
 * The three questions for a pool position (issue 13.4), for the account query:
 * 1. accepted collateral: per asset its value at the oracle and that value × LT
 *    (rounded down), and the total Σ value × LT;
 * 2. which feed controls the trigger: each asset's oracle index market (the index
 *    alone, never a mark or a trade);
 * 3. distance: HF now (E8, rounded down), `Σ value × LT − debt` in settle units
 *    (rounded down; negative = liquidatable), and per collateral asset the price at
 *    which HF reaches 1 with every other price fixed (rounded up).
 */
import { Rounding, divRoundBig } from '@perpcore/domain';
import { collateralPriceAtHealthFactorOne, healthFactorReport, poolValueExact } from '@perpcore/margin';
import type { RiskState } from '../risk-state.js';
import { debtNowUnits, poolAssetFeed, poolAssetPrice, poolLegs } from './pool-valuation.js';

export interface PoolLegReport {
  readonly asset: string;
  readonly priceFeed: string;
  readonly suppliedUnits: number;
  /** Interest included, rounded up. */
  readonly debtUnits: number;
  readonly valueUnits: string | null;
  readonly acceptedValueUnits: string | null;
  readonly liquidationThresholdE8: number;
  /** Settle units per `pricePerUnits` of the asset at which HF = 1 (collateral legs), else null. */
  readonly priceAtHealthFactorOneUnits: string | null;
  readonly pricePerUnits: number;
}

export interface PoolPositionReport {
  readonly positionSeq: number;
  readonly healthFactorE8: string | null;
  readonly liquidatable: boolean;
  readonly acceptedCollateralUnits: string;
  readonly debtValueUnits: string;
  readonly distanceToLiquidationUnits: string;
  readonly legs: readonly PoolLegReport[];
}

export function poolPositionReport(s: RiskState, accountId: number): PoolPositionReport | null {
  const pool = s.lendingPool;
  const p = pool.positions.get(accountId);
  if (p === undefined) return null;
  const legs = poolLegs(s, pool, p, 'lt');
  const r = legs === null ? null : healthFactorReport(legs.collateral, legs.debt);
  const out: PoolLegReport[] = [];
  for (let k = 0; k < pool.setup.assets.length; k++) {
    const cfg = pool.setup.assets[k];
    const debt = debtNowUnits(pool, p, k);
    if (p.suppliedUnits[k] === 0 && debt === 0) continue;
    const price = poolAssetPrice(s, pool, k);
    const value = price === null || p.suppliedUnits[k] === 0 ? null : poolValueExact(p.suppliedUnits[k], price);
    const legIndex = legs === null ? -1 : legs.collateralAssets.indexOf(k);
    const atOne = legs === null || legIndex < 0 ? null : collateralPriceAtHealthFactorOne(legs.collateral, legs.debt, legIndex);
    out.push({
      asset: s.setup.assetCodes[cfg.assetIndex],
      priceFeed: poolAssetFeed(s, pool, k),
      suppliedUnits: p.suppliedUnits[k],
      debtUnits: debt,
      valueUnits: value === null ? null : String(divRoundBig(value.num, value.den, Rounding.Floor)),
      acceptedValueUnits: value === null ? null : String(divRoundBig(value.num * BigInt(cfg.liquidationThresholdE8), value.den * 100_000_000n, Rounding.Floor)),
      liquidationThresholdE8: cfg.liquidationThresholdE8,
      priceAtHealthFactorOneUnits: atOne === null ? null : String(atOne),
      pricePerUnits: price?.perAssetUnits ?? 0,
    });
  }
  return {
    positionSeq: p.version,
    healthFactorE8: r?.healthFactorE8 == null ? null : String(r.healthFactorE8),
    liquidatable: r?.liquidatable ?? false,
    acceptedCollateralUnits: String(r?.acceptedCollateralUnits ?? 0n),
    debtValueUnits: String(r?.debtValueUnits ?? 0n),
    distanceToLiquidationUnits: String(r?.distanceToLiquidationUnits ?? 0n),
    legs: out,
  };
}
