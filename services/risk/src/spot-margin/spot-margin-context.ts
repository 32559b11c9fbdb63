/**
 * What every part of the spot-margin stage shares: config, state, the event sink,
 * and the three primitives that keep money exact:
 * - `accrueTo(tsNs)`: every asset's interest index accrues simple interest from its
 *   last accrual to the input's time (borrow-interest.ts), so an index compounds only
 *   at inputs: deterministic for a given input log;
 * - `settleInterest(account, asset)`: folds a borrow's interest into its principal,
 *   rounded up (on every touch of the borrow);
 * - `holdings(account)`: the account as `SpotHolding`s at the current index prices,
 *   with debts valued as of now (view only: nothing settles).
 */
import {
  type HaircutSchedule,
  type SpotHolding,
  type SpotMarginParams,
  accrueIndex,
  debtUnits,
  settleAssetHaircut,
  settleInterest,
} from '@perpcore/margin';
import { SpotEventKind, type SpotEventSink, type SpotMarginEvent, type SpotOrderRef, type SpotTransition } from './spot-margin-events.js';
import { type SpotPairSpec, indexAsCollateralPrice } from './spot-pair.js';
import { SpotMarginState, venueTotals } from './spot-margin-state.js';

export interface SpotMarginConfig {
  readonly params: SpotMarginParams;
  readonly pairs: readonly SpotPairSpec[];
  /** Haircut per base asset (the settle asset counts at 100 %). */
  readonly haircuts: readonly HaircutSchedule[];
}

const ONE = Object.freeze({ settleUnits: 1, perAssetUnits: 1 });

export class SpotMarginContext {
  readonly state: SpotMarginState;
  readonly settleAsset: string;
  /** All assets, settle first, then bases in code order. */
  readonly assets: readonly string[];
  readonly pairByBase = new Map<string, SpotPairSpec>();
  readonly pairBySymbol = new Map<string, SpotPairSpec>();
  private readonly haircuts = new Map<string, HaircutSchedule>();

  constructor(
    readonly config: SpotMarginConfig,
    private readonly sink: SpotEventSink,
  ) {
    const { params } = config;
    this.settleAsset = params.settleAsset;
    for (const p of config.pairs) {
      if (p.quoteAsset !== params.settleAsset) throw new Error(`spot pair ${p.symbol}: quote must be the settle asset ${params.settleAsset}`);
      if (this.pairByBase.has(p.baseAsset)) throw new Error(`spot pair ${p.symbol}: a second pair for ${p.baseAsset}`);
      this.pairByBase.set(p.baseAsset, p);
      this.pairBySymbol.set(p.symbol, p);
    }
    for (const h of config.haircuts) this.haircuts.set(h.asset, h);
    this.haircuts.set(params.settleAsset, this.haircuts.get(params.settleAsset) ?? settleAssetHaircut(params.settleAsset));
    this.assets = Object.freeze([params.settleAsset, ...[...this.pairByBase.keys()].sort()]);
    for (const a of this.assets) if (!this.haircuts.has(a)) throw new Error(`spot margin: no haircut schedule for ${a}`);
    this.state = new SpotMarginState(this.assets);
    for (const a of this.assets) {
      const terms = params.borrowable.get(a);
      this.state.indices.set(a, { index: 10n ** 18n, lastAccrualNs: 0, hourlyRateE8: terms?.hourlyRateE8 ?? 0 });
    }
  }

  isAsset(asset: string): boolean {
    return this.state.venue.has(asset);
  }

  priceOf(asset: string) {
    if (asset === this.settleAsset) return ONE;
    const pair = this.pairByBase.get(asset);
    const ticks = this.state.indexTicks.get(asset);
    if (pair === undefined || ticks === undefined) return null;
    return indexAsCollateralPrice(pair, ticks);
  }

  /** Accrues every index to `tsNs` (no-op when time has not moved). */
  accrueTo(tsNs: number): void {
    if (tsNs <= this.state.lastTsNs) return;
    const changed: string[] = [];
    for (const asset of this.assets) {
      const ix = this.state.indices.get(asset)!;
      // a zero rate never moves its index: its clock stays unset (and out of events)
      if (ix.hourlyRateE8 === 0) continue;
      if (ix.lastAccrualNs !== 0) ix.index = accrueIndex(ix.index, ix.hourlyRateE8, BigInt(tsNs) - BigInt(ix.lastAccrualNs));
      ix.lastAccrualNs = tsNs;
      changed.push(asset);
    }
    this.state.lastTsNs = tsNs;
    if (changed.length > 0) this.emit(SpotEventKind.IndexAccrued, tsNs, 0, '', 0, '', [], [], changed);
  }

  /** Owed now (principal with interest to the current index), without settling. */
  debtNow(accountId: number, asset: string): number {
    const row = this.state.peekRow(accountId, asset);
    if (row === undefined || row.principalUnits === 0) return 0;
    return debtUnits(row.principalUnits, row.snapshot, this.state.indices.get(asset)!.index);
  }

  /** Settles the borrow's interest to now; emits `InterestSettled` when any was due. */
  settleInterest(accountId: number, asset: string, tsNs: number): void {
    const row = this.state.peekRow(accountId, asset);
    if (row === undefined) return;
    const index = this.state.indices.get(asset)!.index;
    if (row.principalUnits === 0) {
      row.snapshot = index;
      return;
    }
    const s = settleInterest(row.principalUnits, row.snapshot, index);
    row.principalUnits = s.principalUnits;
    row.snapshot = s.snapshot;
    if (s.interestUnits > 0) {
      this.state.venueOf(asset).interestUnits += BigInt(s.interestUnits);
      this.emit(SpotEventKind.InterestSettled, tsNs, accountId, asset, s.interestUnits, '', [[accountId, asset]], [asset]);
    }
  }

  /** The account as holdings for the margin math; null while a held or owed asset has no index price. */
  holdings(accountId: number): SpotHolding[] | null {
    const out: SpotHolding[] = [];
    for (const asset of this.assets) {
      const row = this.state.peekRow(accountId, asset);
      const balance = row?.balanceUnits ?? 0;
      const debt = this.debtNow(accountId, asset);
      const price = this.priceOf(asset);
      if (price === null) {
        if (balance !== 0 || debt !== 0) return null;
        continue;
      }
      out.push({ asset, schedule: this.haircuts.get(asset)!, price, balanceUnits: balance, debtUnits: debt, entryUnits: row?.entryUnits ?? 0 });
    }
    return out;
  }

  emit(
    kind: SpotMarginEvent['kind'],
    tsNs: number,
    accountId: number,
    asset: string,
    amountUnits: number,
    detail: string,
    rows: ReadonlyArray<readonly [number, string]>,
    venueAssets: readonly string[],
    indexAssets: readonly string[] = [],
    transition?: SpotTransition,
    order?: SpotOrderRef,
  ): void {
    const s = this.state;
    this.sink(
      Object.freeze({
        kind,
        tsNs,
        accountId,
        asset,
        amountUnits,
        detail,
        rows: rows.map(([a, asset]) => {
          const r = s.row(a, asset);
          return { accountId: a, asset, balanceUnits: r.balanceUnits, heldUnits: r.heldUnits, principalUnits: r.principalUnits, snapshot: r.snapshot.toString(), entryUnits: r.entryUnits };
        }),
        venue: venueAssets.map((asset) => {
          const v = s.venueOf(asset);
          return { asset, poolUnits: v.poolUnits, fundUnits: v.fundUnits, totals: venueTotals(v).map(String) };
        }),
        indices: indexAssets.map((asset) => {
          const ix = s.indices.get(asset)!;
          return { asset, index: ix.index.toString(), lastAccrualNs: ix.lastAccrualNs };
        }),
        ...(transition === undefined ? {} : { transition }),
        ...(order === undefined ? {} : { order }),
      }),
    );
  }
}
