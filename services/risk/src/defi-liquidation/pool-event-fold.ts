/**
 * The fold of the lending pool's events: every account's pool legs (supplied and
 * debt principal per asset) and position version, rebuilt from `RiskEventV1`
 * alone. `PoolPositionChangedV1` names the leg's values after the change;
 * `PoolLiquidatedV1` the debt leg and the collateral leg after it. The wallet side
 * of the same commands folds in risk-event-fold.ts. Streams are deduplicated there;
 * this fold expects each account's stream once, in order.
 */
import type { RiskEventV1 } from '@perpcore/proto';
import type { RiskState } from '../risk-state.js';

export interface PoolLegSnapshot {
  suppliedUnits: bigint;
  debtUnits: bigint;
}

export interface PoolPositionSnapshot {
  version: number;
  readonly legs: Map<string, PoolLegSnapshot>;
}

export class PoolEventFold {
  readonly positions = new Map<number, PoolPositionSnapshot>();

  apply(e: RiskEventV1): void {
    if (e.event === 'poolPositionChanged') {
      const c = e.poolPositionChanged!;
      const p = this.position(e.accountId);
      p.version = c.positionSeq;
      const leg = this.leg(p, c.asset);
      leg.suppliedUnits = BigInt(c.suppliedAfterUnits);
      leg.debtUnits = BigInt(c.debtAfterUnits);
    } else if (e.event === 'poolLiquidated') {
      const l = e.poolLiquidated!;
      const p = this.position(e.accountId);
      p.version = l.positionSeq;
      this.leg(p, l.debtAsset).debtUnits = BigInt(l.debtAfterUnits);
      this.leg(p, l.collateralAsset).suppliedUnits = BigInt(l.collateralAfterUnits);
    }
  }

  private position(accountId: number): PoolPositionSnapshot {
    let p = this.positions.get(accountId);
    if (p === undefined) this.positions.set(accountId, (p = { version: 0, legs: new Map() }));
    return p;
  }

  private leg(p: PoolPositionSnapshot, asset: string): PoolLegSnapshot {
    let leg = p.legs.get(asset);
    if (leg === undefined) p.legs.set(asset, (leg = { suppliedUnits: 0n, debtUnits: 0n }));
    return leg;
  }
}

/** The engine's pool in the fold's form (legs with a zero balance left out), for comparisons. */
export function poolSnapshot(s: RiskState): Map<number, { version: number; legs: [string, bigint, bigint][] }> {
  const pool = s.lendingPool;
  const out = new Map<number, { version: number; legs: [string, bigint, bigint][] }>();
  for (const p of pool.positions.values()) {
    const legs: [string, bigint, bigint][] = [];
    for (let k = 0; k < pool.setup.assets.length; k++) {
      if (p.suppliedUnits[k] !== 0 || p.principalUnits[k] !== 0) legs.push([s.setup.assetCodes[pool.setup.assets[k].assetIndex], BigInt(p.suppliedUnits[k]), BigInt(p.principalUnits[k])]);
    }
    out.set(p.accountId, { version: p.version, legs });
  }
  return out;
}

/** The fold in the same form as `poolSnapshot`, legs in the pool's asset order. */
export function foldedPoolSnapshot(fold: PoolEventFold, assetOrder: readonly string[]): Map<number, { version: number; legs: [string, bigint, bigint][] }> {
  const out = new Map<number, { version: number; legs: [string, bigint, bigint][] }>();
  for (const [id, p] of fold.positions) {
    const legs: [string, bigint, bigint][] = [];
    for (const asset of assetOrder) {
      const leg = p.legs.get(asset);
      if (leg !== undefined && (leg.suppliedUnits !== 0n || leg.debtUnits !== 0n)) legs.push([asset, leg.suppliedUnits, leg.debtUnits]);
    }
    out.set(id, { version: p.version, legs });
  }
  return out;
}
