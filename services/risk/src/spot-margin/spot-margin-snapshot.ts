/**
 * Canonical form of the spot-margin state: the ledger part (rows, indices, venue,
 * margin states, index prices: what the event fold rebuilds) and the whole (plus the
 * open orders, the books and the counters). Both are plain JSON-safe data with
 * bigints as decimal strings, in id / code order, so the same state always gives the
 * same bytes: `stateHash` is a sha256 of them, and snapshot capture / restore
 * round-trips through them.
 */
import { createHash } from 'node:crypto';
import type { MarginState } from '@perpcore/margin';
import type { BookState } from '@perpcore/orderbook';
import { type SpotAssetRow, type SpotMarginState, setVenueFigures, venueTotals } from './spot-margin-state.js';
import type { SpotOpenOrder } from './spot-order-flow.js';

export interface SpotLedgerSnapshot {
  readonly rows: Array<[number, string, number, number, number, string, number]>;
  readonly indices: Array<[string, string, number]>;
  readonly venue: Array<[string, number, number, string[]]>;
  readonly marginStates: Array<[number, MarginState]>;
  readonly indexTicks: Array<[string, number]>;
}

export interface SpotMarginSnapshot {
  readonly ledger: SpotLedgerSnapshot;
  readonly nextOrderId: number;
  readonly lastTsNs: number;
  /** [orderId, accountId, symbol, side, priceTicks, remainingLots, origLots, placedTsNs, clientOrderId, filledLots, filledQuoteUnits]. */
  readonly orders: Array<[number, number, string, number, number, number, number, number, string, number, number]>;
  readonly books: Array<[string, BookState]>;
}

export function captureSpotLedger(s: SpotMarginState): SpotLedgerSnapshot {
  const rows: SpotLedgerSnapshot['rows'] = [];
  for (const id of s.sortedAccountIds()) {
    const byAsset = s.accounts.get(id)!;
    for (const asset of [...byAsset.keys()].sort()) {
      const r = byAsset.get(asset)!;
      rows.push([id, asset, r.balanceUnits, r.heldUnits, r.principalUnits, r.snapshot.toString(), r.entryUnits]);
    }
  }
  return {
    rows,
    indices: [...s.indices.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, ix]) => [a, ix.index.toString(), ix.lastAccrualNs]),
    venue: [...s.venue.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, v]) => [a, v.poolUnits, v.fundUnits, venueTotals(v).map(String)]),
    marginStates: [...s.marginStates.entries()].sort(([a], [b]) => a - b),
    indexTicks: [...s.indexTicks.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

export function restoreSpotLedger(s: SpotMarginState, snap: SpotLedgerSnapshot): void {
  s.accounts.clear();
  s.forgetAllBorrowers();
  for (const [id, asset, balanceUnits, heldUnits, principalUnits, snapshot, entryUnits] of snap.rows) {
    const row: SpotAssetRow = s.row(id, asset);
    Object.assign(row, { balanceUnits, heldUnits, principalUnits, snapshot: BigInt(snapshot), entryUnits });
    if (principalUnits > 0) s.noteBorrower(id);
  }
  for (const [asset, index, lastAccrualNs] of snap.indices) {
    const ix = s.indices.get(asset);
    if (ix === undefined) throw new Error(`spot snapshot: unknown asset ${asset}`);
    ix.index = BigInt(index);
    ix.lastAccrualNs = lastAccrualNs;
  }
  for (const [asset, poolUnits, fundUnits, totals] of snap.venue) setVenueFigures(s.venueOf(asset), poolUnits, fundUnits, totals);
  s.marginStates.clear();
  for (const [id, st] of snap.marginStates) {
    s.marginStates.set(id, st);
    s.noteBorrower(id);
  }
  s.indexTicks.clear();
  for (const [asset, ticks] of snap.indexTicks) s.indexTicks.set(asset, ticks);
}

export function captureOrders(orders: ReadonlyMap<number, SpotOpenOrder>): SpotMarginSnapshot['orders'] {
  return [...orders.values()].sort((a, b) => a.orderId - b.orderId).map((o) => [
    o.orderId,
    o.accountId,
    o.symbol,
    o.side,
    o.priceTicks,
    o.remainingLots,
    o.origLots,
    o.placedTsNs,
    o.clientOrderId,
    o.filledLots,
    o.filledQuoteUnits,
  ]);
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
