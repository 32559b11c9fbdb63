/**
 * A pool position valued at the oracle: the legs `health-factor.ts` of
 * @perpcore/margin takes, built from the risk stage's index prices. The settle
 * asset is priced 1:1; every other pool asset by its collateral index market (the
 * only feed that controls the trigger: no mark, no last trade). Debt is read at the
 * current borrow index without settling it (rounded up, borrow-interest.ts), so a
 * read never changes state.
 */
import { type CollateralPrice, type PoolCollateralLeg, type PoolDebtLeg, type Ratio, debtUnits, healthFactorExact } from '@perpcore/margin';
import { RiskReject, RiskRejection } from '../risk-reject-codes.js';
import type { RiskState } from '../risk-state.js';
import type { LendingPool, PoolPosition } from './lending-pool.js';

const SETTLE_PRICE: CollateralPrice = Object.freeze({ settleUnits: 1, perAssetUnits: 1 });

/** The oracle price of pool asset `k`, or null before its first index. */
export function poolAssetPrice(s: RiskState, pool: LendingPool, k: number): CollateralPrice | null {
  const ci = pool.setup.assets[k].collateralIndex;
  return ci < 0 ? SETTLE_PRICE : s.setup.collateral[ci].price;
}

/** The index market whose price values pool asset `k` ("" for the settle asset). */
export function poolAssetFeed(s: RiskState, pool: LendingPool, k: number): string {
  const ci = pool.setup.assets[k].collateralIndex;
  return ci < 0 ? '' : s.markets[s.setup.collateral[ci].indexMarket].symbol;
}

/** Debt of leg `k` now, interest included (rounded up), without settling it. */
export function debtNowUnits(pool: LendingPool, p: PoolPosition, k: number): number {
  const principal = p.principalUnits[k];
  return principal === 0 ? 0 : debtUnits(principal, p.indexSnapshot[k], pool.borrowIndex[k]);
}

export interface PoolLegs {
  readonly collateral: PoolCollateralLeg[];
  readonly debt: PoolDebtLeg[];
  /** Pool asset of each collateral leg. */
  readonly collateralAssets: number[];
}

/**
 * The position's legs at the oracle, with `overrides` applied (pool asset → supplied
 * or debt units) to value a command before it applies. `weight` picks LT (health
 * factor) or LTV (borrowing power). null when a leg with a balance has no price yet.
 */
export function poolLegs(s: RiskState, pool: LendingPool, p: PoolPosition | undefined, weight: 'lt' | 'ltv', supplied?: ReadonlyMap<number, number>, debt?: ReadonlyMap<number, number>): PoolLegs | null {
  const out: PoolLegs = { collateral: [], debt: [], collateralAssets: [] };
  const assets = pool.setup.assets;
  for (let k = 0; k < assets.length; k++) {
    const sup = supplied?.get(k) ?? p?.suppliedUnits[k] ?? 0;
    const owed = debt?.get(k) ?? (p === undefined ? 0 : debtNowUnits(pool, p, k));
    if (sup === 0 && owed === 0) continue;
    const price = poolAssetPrice(s, pool, k);
    if (price === null) return null;
    if (sup > 0) {
      out.collateral.push({ amountUnits: sup, price, liquidationThresholdE8: weight === 'lt' ? assets[k].liquidationThresholdE8 : assets[k].ltvE8 });
      out.collateralAssets.push(k);
    }
    if (owed > 0) out.debt.push({ amountUnits: owed, price });
  }
  return out;
}

/** HF now (exact), null without debt; undefined when a price is missing. */
export function positionHealthFactor(s: RiskState, pool: LendingPool, p: PoolPosition): Ratio | null | undefined {
  const legs = poolLegs(s, pool, p, 'lt');
  return legs === null ? undefined : healthFactorExact(legs.collateral, legs.debt);
}

/** The pool asset of an asset code; RISK_UNKNOWN_ASSET when the pool does not list it. */
export function poolAssetOf(s: RiskState, code: string): number {
  const a = s.setup.assetIndex.get(code);
  const k = a === undefined ? -1 : s.lendingPool.setup.byAssetIndex[a];
  if (k < 0) throw new RiskRejection(RiskReject.UnknownAsset, `asset ${JSON.stringify(code)} is not a lending pool asset`);
  return k;
}

/**
 * HF in float64, for screening only (ARCHITECTURE: float screens, exact decides):
 * Infinity without debt. Its error is ~1e-15 relative, far inside the screen's
 * margin (`HF_SCREEN_MARGIN`); a position within the margin of 1 is decided exactly.
 * Allocation-free.
 */
export function approxHealthFactor(s: RiskState, pool: LendingPool, p: PoolPosition): number {
  const assets = pool.setup.assets;
  let weighted = 0;
  let debt = 0;
  for (let k = 0; k < assets.length; k++) {
    const sup = p.suppliedUnits[k];
    const principal = p.principalUnits[k];
    if (sup === 0 && principal === 0) continue;
    const price = poolAssetPrice(s, pool, k);
    if (price === null) return Number.NaN;
    const unit = price.settleUnits / price.perAssetUnits;
    weighted += sup * unit * (assets[k].liquidationThresholdE8 / 1e8);
    if (principal !== 0) debt += principal * (Number(pool.borrowIndex[k]) / Number(p.indexSnapshot[k])) * unit;
  }
  return debt === 0 ? Number.POSITIVE_INFINITY : weighted / debt;
}

/** Relative distance from HF = 1 inside which the float screen defers to the exact evaluation. */
export const HF_SCREEN_MARGIN = 1e-6;
