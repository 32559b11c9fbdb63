/**
 * The lending pool's part of the conservation audit (RISK-SPEC §9), exact bigint
 * sums, per pool asset, to the unit:
 * - pool books: `cash + Σ principal = Σ supplied + interest settled` (supplies and
 *   repayments add cash, borrows and seized collateral take it, settled interest is
 *   debt the pool earned);
 * - seized collateral = protocol fees + what liquidators received (the totals);
 * - nothing negative: no leg, no cash.
 * `poolCashUnits` gives conservation-audit.ts the pool's holding of each risk asset,
 * so Σ balances + pool cash = deposits − withdrawals stays the money invariant.
 */
import type { RiskState } from '../risk-state.js';

/** The pool's cash in risk asset `a` (0 when the pool does not list it). */
export function poolCashUnits(s: RiskState, a: number): bigint {
  const k = s.lendingPool.setup.byAssetIndex[a];
  return k < 0 ? 0n : s.lendingPool.cashUnits[k];
}

export function auditLendingPool(s: RiskState, problems: string[]): void {
  const pool = s.lendingPool;
  for (let k = 0; k < pool.setup.assets.length; k++) {
    const code = s.setup.assetCodes[pool.setup.assets[k].assetIndex];
    let supplied = 0n;
    let principal = 0n;
    for (const p of pool.positions.values()) {
      if (p.suppliedUnits[k] < 0 || p.principalUnits[k] < 0) problems.push(`pool ${code}: account ${p.accountId} has a negative leg`);
      supplied += BigInt(p.suppliedUnits[k]);
      principal += BigInt(p.principalUnits[k]);
    }
    const cash = pool.cashUnits[k];
    if (cash < 0n) problems.push(`pool ${code}: cash ${cash} < 0`);
    if (cash + principal !== supplied + pool.interestSettledUnits[k]) {
      problems.push(`pool ${code}: cash ${cash} + principal ${principal} ≠ supplied ${supplied} + interest ${pool.interestSettledUnits[k]}`);
    }
    if (pool.protocolFeesUnits[k] > pool.seizedUnits[k]) problems.push(`pool ${code}: protocol fees ${pool.protocolFeesUnits[k]} exceed the collateral seized ${pool.seizedUnits[k]}`);
  }
}

/** The pool's state in canonical order for the stage's state hash (nothing when no pool is configured). */
export function lendingPoolHashValues(s: RiskState): (number | bigint | boolean)[] {
  const pool = s.lendingPool;
  if (!pool.enabled) return [];
  const out: (number | bigint | boolean)[] = [pool.indexHourNs, pool.liquidations];
  for (let k = 0; k < pool.setup.assets.length; k++) out.push(pool.cashUnits[k], pool.borrowIndex[k], pool.interestSettledUnits[k], pool.protocolFeesUnits[k], pool.seizedUnits[k]);
  for (const p of pool.positions.values()) {
    out.push(p.accountId, p.version, p.belowOne);
    for (let k = 0; k < p.suppliedUnits.length; k++) out.push(p.suppliedUnits[k], p.principalUnits[k], p.indexSnapshot[k]);
  }
  return out;
}
