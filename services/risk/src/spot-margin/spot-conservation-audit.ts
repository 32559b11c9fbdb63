/**
 * Conservation audit of the spot-margin context, per asset, to the unit:
 * 1. cash: Σ account balances + lending pool + insurance fund
 *    = deposits − withdrawals + pool funding (fills, borrows, repays, fees and bad-debt
 *    cover only move cash between these);
 * 2. loans: Σ principals = borrowed − repaid + interest settled − fund-covered − written off;
 * 3. holds: 0 ≤ held ≤ balance on every row, and Σ held = what the open orders hold;
 * 4. nothing negative: balances, pool, fund, principals.
 * Interest accrued but not yet settled (Σ debt now − Σ principal) is reported: it
 * is ≥ 0 and becomes principal on the borrow's next touch.
 */
import { Side } from '@perpcore/domain';
import type { SpotMarginContext } from './spot-margin-context.js';
import type { SpotOpenOrder } from './spot-order-flow.js';
import { baseUnitsOf, quoteUnitsOf } from './spot-pair.js';

export interface SpotAssetAudit {
  readonly asset: string;
  readonly cashUnits: bigint;
  readonly expectedCashUnits: bigint;
  readonly principalUnits: bigint;
  readonly expectedPrincipalUnits: bigint;
  readonly pendingInterestUnits: bigint;
  readonly interestSettledUnits: bigint;
  readonly liquidationFeeUnits: bigint;
}

export interface SpotConservationReport {
  readonly ok: boolean;
  readonly assets: readonly SpotAssetAudit[];
  readonly problems: readonly string[];
}

export function auditSpotConservation(c: SpotMarginContext, orders: ReadonlyMap<number, SpotOpenOrder>): SpotConservationReport {
  const problems: string[] = [];
  const heldByOrders = new Map<string, bigint>();
  for (const o of orders.values()) {
    const pair = c.pairBySymbol.get(o.symbol)!;
    const key = `${o.accountId}:${o.side === Side.Buy ? pair.quoteAsset : pair.baseAsset}`;
    const held = o.side === Side.Buy ? quoteUnitsOf(pair, o.remainingLots, o.priceTicks) : baseUnitsOf(pair, o.remainingLots);
    heldByOrders.set(key, (heldByOrders.get(key) ?? 0n) + BigInt(held));
  }
  const assets: SpotAssetAudit[] = [];
  for (const asset of c.assets) {
    const v = c.state.venueOf(asset);
    let cash = BigInt(v.poolUnits) + BigInt(v.fundUnits);
    let principal = 0n;
    let pending = 0n;
    if (v.poolUnits < 0) problems.push(`${asset}: pool ${v.poolUnits} < 0`);
    if (v.fundUnits < 0) problems.push(`${asset}: fund ${v.fundUnits} < 0`);
    for (const id of c.state.sortedAccountIds()) {
      const r = c.state.peekRow(id, asset);
      if (r === undefined) continue;
      cash += BigInt(r.balanceUnits);
      principal += BigInt(r.principalUnits);
      pending += BigInt(c.debtNow(id, asset) - r.principalUnits);
      if (r.balanceUnits < 0 || r.principalUnits < 0 || r.entryUnits < 0) problems.push(`${asset}: account ${id} has a negative figure`);
      if (r.heldUnits < 0 || r.heldUnits > r.balanceUnits) problems.push(`${asset}: account ${id} holds ${r.heldUnits} of ${r.balanceUnits}`);
      const want = heldByOrders.get(`${id}:${asset}`) ?? 0n;
      if (BigInt(r.heldUnits) !== want) problems.push(`${asset}: account ${id} held ${r.heldUnits}, its orders hold ${want}`);
    }
    const expectedCash = v.depositedUnits - v.withdrawnUnits + v.poolFundedUnits;
    const expectedPrincipal = v.borrowedUnits - v.repaidUnits + v.interestUnits - v.fundCoveredUnits - v.writtenOffUnits;
    if (cash !== expectedCash) problems.push(`${asset}: cash ${cash} ≠ deposits − withdrawals + pool funding ${expectedCash}`);
    if (principal !== expectedPrincipal) problems.push(`${asset}: principals ${principal} ≠ borrowed − repaid + interest − covered − written off ${expectedPrincipal}`);
    if (pending < 0n) problems.push(`${asset}: pending interest ${pending} < 0`);
    assets.push(Object.freeze({
      asset,
      cashUnits: cash,
      expectedCashUnits: expectedCash,
      principalUnits: principal,
      expectedPrincipalUnits: expectedPrincipal,
      pendingInterestUnits: pending,
      interestSettledUnits: v.interestUnits,
      liquidationFeeUnits: v.liquidationFeeUnits,
    }));
  }
  return Object.freeze({ ok: problems.length === 0, assets: Object.freeze(assets), problems: Object.freeze(problems) });
}
