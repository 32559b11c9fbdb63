/**
 * A copy-on-write view of the risk state for the stress query: it reads every
 * column of the live state and writes none. What the stress changes lives in the
 * view's own copies, and only those:
 *
 * - marks: the view's `ScopeEvaluator` has its own mark array (live marks, shocked
 *   ones overwritten) and its own `OrderMarginKernel` (the live kernel's result
 *   cache is keyed by mark: sharing it would let the stress write into it);
 * - collateral: a copy of each `CollateralSetup` with the shocked index price and,
 *   where asked, a flat haircut (`createHaircutSchedule`, the live constructor);
 * - pending funding: a copy of the ledger's `pendingFundingUnits` column, only when
 *   a funding rate is stressed, with PF recomputed by `pendingFundingUnits` at the
 *   advanced index exactly as `MarketPrices.applyFunding` does;
 * - positions and margin states: copies of `qtyLots`, `costUnits`, `crossState` and
 *   `isolatedState`, made only when the projected ladder reaches ADL
 *   (`materialize`), so the ADL ranking sees the closes and excludes liquidating
 *   scopes; until then the ladder's closes are kept aside (`closeRow`);
 * - the ADL ranking: the view's own `AdlRankings` over the view (the live one is
 *   ranked at the live marks and positions, and reading it at the view's would
 *   rebuild it: a write, and a rebuild the live path pays for again at its next
 *   run). Nothing is ranked until the ladder reaches ADL; then each side is built
 *   once at the stressed marks (O(n log n)) and rescored only for the accounts
 *   the ladder changes since (`accountChanged`), as the live ranking follows the
 *   live engine's changes.
 *
 * The overrides are own properties of objects whose prototype is the live object
 * (`Object.create`), so every other field and method (`rowOf`, `slotOf`,
 * `rowsOfMarket`, balances, costs, orders) is the live one, unchanged. The live
 * `ScopeEvaluator`, breach index and kernel are never called.
 */
import { createHaircutSchedule, fundingIndexIncrement, FundingPriceSource, pendingFundingUnits } from '@perpcore/margin';
import type { AccountBook } from '../accounts/account-book.js';
import { AdlRankings } from '../adl/adl-rankings.js';
import { OrderMarginKernel } from '../orders/order-margin-kernel.js';
import type { PositionLedger } from '../accounts/position-ledger.js';
import type { CollateralSetup } from '../risk-config.js';
import type { RiskState } from '../risk-state.js';
import { ScopeEvaluator } from '../margin-watch/scope-evaluator.js';
import { MarginStateCode } from '../margin-watch/margin-state-code.js';
import type { ResolvedStress } from './stress-request.js';
import type { ScopeKey } from './stress-scopes.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function overlay<T extends object>(live: T, fields: Partial<T>): T {
  const view = Object.create(live) as T;
  Object.assign(view, fields);
  return view;
}

export class StressView {
  /** The view as a `RiskState` (for functions that take one, such as the ADL ranking). */
  readonly state: RiskState;
  readonly ledger: PositionLedger;
  readonly accounts: AccountBook;
  readonly evaluator: ScopeEvaluator;
  readonly adlRankings: AdlRankings;
  readonly collateral: readonly CollateralSetup[];
  /** Per collateral entry: its price or haircut differs from the live one. */
  readonly collateralChanged: readonly boolean[];
  private materialized = false;
  private readonly closedRows: number[] = [];

  constructor(
    readonly live: RiskState,
    readonly stress: ResolvedStress,
  ) {
    const s = live;
    this.collateral = s.setup.collateral.map((c, i) => {
      const copy: Writable<CollateralSetup> = { ...c };
      const m = c.indexMarket;
      if (stress.indexSubticks[m] > 0 && stress.indexSubticks[m] !== c.indexSubticks) {
        copy.indexSubticks = stress.indexSubticks[m];
        copy.price = { settleUnits: copy.indexSubticks * c.settleUnitsPerSubtick, perAssetUnits: c.perAssetUnits };
      }
      const ratio = stress.haircutRatioE8[i];
      if (ratio !== null) copy.haircut = createHaircutSchedule(c.asset.asset, [{ upToValueUnits: null, ratioE8: ratio }]);
      return copy;
    });
    this.collateralChanged = this.collateral.map((c, i) => c.price !== s.setup.collateral[i].price || c.haircut !== s.setup.collateral[i].haircut);
    const fields: Partial<Writable<PositionLedger>> = {};
    if (stress.fundingRateE8.some((r) => r !== null)) fields.pendingFundingUnits = this.stressedPendingFunding();
    this.ledger = overlay(s.ledger, fields);
    this.accounts = overlay(s.accounts, {});
    const kernel = new OrderMarginKernel(s.orders, this.ledger);
    this.evaluator = new ScopeEvaluator(s.markets, this.collateral, this.accounts, this.ledger, s.orders, kernel);
    for (let m = 0; m < s.markets.length; m++) this.evaluator.marks[m] = stress.markSubticks[m] > 0 ? stress.markSubticks[m] : s.evaluator.marks[m];
    this.state = overlay(s, { ledger: this.ledger, accounts: this.accounts, evaluator: this.evaluator } as Partial<RiskState>);
    this.adlRankings = new AdlRankings(this.state);
    // the benchmark's reference mode ranks from scratch at every read, here as live
    this.adlRankings.fullRecomputation = s.adlRankings.fullRecomputation;
    (this.state as Writable<RiskState>).adlRankings = this.adlRankings;
  }

  /** The ladder changed the view's columns of the account in `slot` (a close or an ADL leg): its ADL scores are re-read. */
  accountChanged(slot: number): void {
    this.adlRankings.changed(slot);
  }

  /** The mark of market m in the view. */
  mark(m: number): number {
    return this.evaluator.marks[m];
  }

  /**
   * The projected ladder closed row r: its position is 0 from now on in the view.
   * Recorded aside until the columns are copied (`materialize`): before any ADL run
   * nothing reads a closed row again (its scope is not planned twice).
   */
  closeRow(r: number): void {
    if (this.materialized) {
      this.ledger.qtyLots[r] = 0;
      this.ledger.costUnits[r] = 0;
    } else this.closedRows.push(r);
  }

  /**
   * Copies the columns an ADL run reads and the ladder writes (positions, cost
   * bases, margin states), once, applying the closes so far and marking `liquidating`
   * LIQUIDATING: O(rows + accounts), only when the stress reaches ADL.
   */
  materialize(liquidating: readonly ScopeKey[]): void {
    if (this.materialized) return;
    this.materialized = true;
    const led = this.ledger as Writable<PositionLedger>;
    led.qtyLots = this.live.ledger.qtyLots.slice();
    led.costUnits = this.live.ledger.costUnits.slice();
    led.isolatedState = this.live.ledger.isolatedState.slice();
    (this.accounts as Writable<AccountBook>).crossState = this.live.accounts.crossState.slice();
    for (const r of this.closedRows) this.closeRow(r);
    for (const key of liquidating) {
      if (key >= 0) this.accounts.crossState[key] = MarginStateCode.Liquidating;
      else led.isolatedState[-key - 1] = MarginStateCode.Liquidating;
    }
  }

  /** PF of every row after one funding settlement at the stressed rate, per stressed market. */
  private stressedPendingFunding(): number[] {
    const s = this.live;
    const led = s.ledger;
    const out = led.pendingFundingUnits.slice();
    for (let m = 0; m < s.markets.length; m++) {
      const rate = this.stress.fundingRateE8[m];
      if (rate === null) continue;
      const market = s.markets[m];
      const mark = this.stress.markSubticks[m] > 0 ? this.stress.markSubticks[m] : market.markSubticks;
      const index = this.stress.indexSubticks[m] > 0 ? this.stress.indexSubticks[m] : market.indexSubticks;
      const price = market.params.fundingPrice === FundingPriceSource.Index ? index : mark;
      if (price <= 0) continue;
      const g = market.fundingIndex + fundingIndexIncrement(market.params, rate, price);
      for (const r of led.rowsOfMarket[m]) {
        const q = led.qtyLots[r];
        out[r] = q === 0 ? 0 : pendingFundingUnits(market.params, q, g, led.fundingSnapshot[r]);
      }
    }
    return out;
  }
}
