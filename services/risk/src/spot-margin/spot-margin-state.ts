/**
 * The spot-margin context's state: per account and asset a row (balance, held for
 * open orders, borrow principal with its interest snapshot, entry principal), per
 * asset the interest index, and the venue's side per asset (lending pool, insurance
 * fund, cumulative totals for the conservation audit).
 *
 * Iteration order: accounts and assets are visited in ascending id / code order
 * wherever it reaches an event or the hash, so the state is independent of Map
 * insertion order.
 */
import { INTEREST_INDEX_SCALE, MarginState } from '@perpcore/margin';

export interface SpotAssetRow {
  /** Held by the account (≥ 0), open-order holds included. */
  balanceUnits: number;
  /** Part of the balance held for the account's open orders. */
  heldUnits: number;
  /** Borrow principal as of `snapshot` (interest settled up to it). */
  principalUnits: number;
  snapshot: bigint;
  /** Principal borrowed (interest excluded): carries used margin. */
  entryUnits: number;
}

export interface SpotInterestIndex {
  index: bigint;
  lastAccrualNs: number;
  readonly hourlyRateE8: number;
}

/** The venue's side of one asset. Totals are bigint: they only grow. */
export interface SpotVenueAsset {
  /** Lendable cash the venue holds. */
  poolUnits: number;
  /** Insurance fund (liquidation fees in, bad debt out). */
  fundUnits: number;
  depositedUnits: bigint;
  withdrawnUnits: bigint;
  poolFundedUnits: bigint;
  borrowedUnits: bigint;
  repaidUnits: bigint;
  interestUnits: bigint;
  liquidationFeeUnits: bigint;
  fundCoveredUnits: bigint;
  writtenOffUnits: bigint;
}

export function emptyRow(): SpotAssetRow {
  return { balanceUnits: 0, heldUnits: 0, principalUnits: 0, snapshot: INTEREST_INDEX_SCALE, entryUnits: 0 };
}

export function emptyVenueAsset(): SpotVenueAsset {
  return {
    poolUnits: 0,
    fundUnits: 0,
    depositedUnits: 0n,
    withdrawnUnits: 0n,
    poolFundedUnits: 0n,
    borrowedUnits: 0n,
    repaidUnits: 0n,
    interestUnits: 0n,
    liquidationFeeUnits: 0n,
    fundCoveredUnits: 0n,
    writtenOffUnits: 0n,
  };
}

/** The venue's cumulative totals in a fixed order (events, hash, fold, snapshot). */
export function venueTotals(v: SpotVenueAsset): bigint[] {
  return [v.depositedUnits, v.withdrawnUnits, v.poolFundedUnits, v.borrowedUnits, v.repaidUnits, v.interestUnits, v.liquidationFeeUnits, v.fundCoveredUnits, v.writtenOffUnits];
}

/** Loads a venue row from its carried form (pool, fund, `venueTotals` as decimal strings). */
export function setVenueFigures(v: SpotVenueAsset, poolUnits: number, fundUnits: number, totals: readonly string[]): void {
  const t = totals.map((x) => BigInt(x));
  if (t.length !== 9) throw new Error(`spot venue row: 9 totals expected, got ${t.length}`);
  v.poolUnits = poolUnits;
  v.fundUnits = fundUnits;
  [v.depositedUnits, v.withdrawnUnits, v.poolFundedUnits, v.borrowedUnits, v.repaidUnits, v.interestUnits, v.liquidationFeeUnits, v.fundCoveredUnits, v.writtenOffUnits] = t as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
}

export class SpotMarginState {
  readonly accounts = new Map<number, Map<string, SpotAssetRow>>();
  readonly indices = new Map<string, SpotInterestIndex>();
  readonly venue = new Map<string, SpotVenueAsset>();
  /** Last state per account that borrows (HEALTHY when absent). */
  readonly marginStates = new Map<number, MarginState>();
  /** Index price per base asset, in its pair's ticks. */
  readonly indexTicks = new Map<string, number>();
  nextOrderId = 1;
  lastTsNs = 0;
  /**
   * Every account that has borrowed since this state was built or restored, until the
   * watch finds it HEALTHY and owing nothing: a superset of the accounts the watch can
   * change, so it visits these instead of every account (a non-borrower in HEALTHY is
   * a no-op for it). Principal only ever starts at a borrow, and a state other than
   * HEALTHY only on an account that borrows.
   */
  private readonly watchIds = new Set<number>();
  private sortedWatch: number[] | null = [];

  constructor(readonly assets: readonly string[]) {
    for (const a of assets) this.venue.set(a, emptyVenueAsset());
  }

  row(accountId: number, asset: string): SpotAssetRow {
    let rows = this.accounts.get(accountId);
    if (rows === undefined) {
      rows = new Map();
      this.accounts.set(accountId, rows);
    }
    let row = rows.get(asset);
    if (row === undefined) {
      row = emptyRow();
      rows.set(asset, row);
    }
    return row;
  }

  peekRow(accountId: number, asset: string): SpotAssetRow | undefined {
    return this.accounts.get(accountId)?.get(asset);
  }

  venueOf(asset: string): SpotVenueAsset {
    const v = this.venue.get(asset);
    if (v === undefined) throw new Error(`spot margin: asset ${asset} has no venue row`);
    return v;
  }

  /** An account whose principal just rose (a borrow, a restored row). */
  noteBorrower(accountId: number): void {
    if (this.watchIds.has(accountId)) return;
    this.watchIds.add(accountId);
    this.sortedWatch = null;
  }

  /** The watch found the account HEALTHY and owing nothing. */
  forgetBorrower(accountId: number): void {
    if (this.watchIds.delete(accountId)) this.sortedWatch = null;
  }

  /** Before a restore lists the borrowers again. */
  forgetAllBorrowers(): void {
    this.watchIds.clear();
    this.sortedWatch = [];
  }

  /** The accounts the watch visits, in id order; the array is reused until the set changes, so callers must not keep it across a change. */
  sortedWatchIds(): readonly number[] {
    if (this.sortedWatch === null) this.sortedWatch = [...this.watchIds].sort((a, b) => a - b);
    return this.sortedWatch;
  }

  sortedAccountIds(): number[] {
    return [...this.accounts.keys()].sort((a, b) => a - b);
  }

  /** True when the account owes anything. */
  borrows(accountId: number): boolean {
    const rows = this.accounts.get(accountId);
    if (rows === undefined) return false;
    for (const r of rows.values()) if (r.principalUnits > 0) return true;
    return false;
  }
}
