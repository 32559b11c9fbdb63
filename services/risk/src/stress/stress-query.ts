/**
 * The what-if stress query (issue 15.1): given price shocks per market (and
 * optionally a funding rate and haircut changes), which scopes would be CALLED,
 * which LIQUIDATING, with their equity, basis, level and distances after the
 * shock; the projected insurance-fund loss walking the book's current depth;
 * which positions would be auto-deleveraged and by how much; and totals.
 *
 * Computed on a copy-on-write view (stress-view.ts) with the live path's own code:
 * `ScopeEvaluator` (so `evaluateCrossAccount` of @perpcore/margin) for every
 * figure, `bankruptcy` / `isolatedBankruptcy`, the ladder's `bandedLimitTicks`,
 * `surplusUnits`, `clearanceFeeUnits`, and the live ADL run (`adlSlices`) over a
 * ranking of the view's own, at the stressed marks (stress-view.ts).
 * The live state is read, never written: its `stateHash()` is unchanged (a test
 * pins it), and the answer is plain data, computed synchronously, so nothing the
 * stage does afterwards can change it.
 *
 * Cost: O(accounts + rows) of array scans and copies (the states already CALLED /
 * LIQUIDATING, the ladder's column copies), plus one exact evaluation per scope
 * the breach index says the stress can reach (stress-scopes.ts says why that
 * skip is safe), plus the ladder for the liquidating ones.
 */
import type { BookTopProvider } from '../risk-config.js';
import type { RiskState } from '../risk-state.js';
import { type LadderProjection, StressLadder } from './stress-ladder.js';
import { validateStressRequest } from './stress-request.js';
import { type StressScope, evaluateStressScope, selectStressScopes } from './stress-scopes.js';
import { StressView } from './stress-view.js';

export interface StressTotals {
  readonly traderAccounts: number;
  /** Scopes evaluated exactly (cross and isolated). */
  readonly scopesEvaluated: number;
  /** Trader accounts whose cross scope the breach index let the query skip. */
  readonly accountsSkipped: number;
  readonly breachEntriesVisited: number;
  readonly calledScopes: number;
  readonly liquidatingScopes: number;
  /** Of the liquidating scopes, those that were not LIQUIDATING before the stress. */
  readonly newlyLiquidatingScopes: number;
  readonly newlyCalledScopes: number;
  readonly positionsClosed: number;
  readonly bookLots: number;
  readonly takeoverLots: number;
  /** Lots backstop liquidators took before the fund. */
  readonly backstopLots: number;
  readonly adlLots: number;
  readonly adlLegs: number;
  readonly clearanceFeesUnits: number;
  readonly fundLossUnits: number;
}

export interface StressMarketPrice {
  readonly market: string;
  readonly markSubticks: number;
  readonly stressedMarkSubticks: number;
  readonly stressedIndexSubticks: number;
}

export interface StressReport {
  readonly prices: readonly StressMarketPrice[];
  /** Scopes CALLED or LIQUIDATING after the stress, ladder order, at most `maxScopes`. */
  readonly scopes: readonly StressScope[];
  readonly scopesTruncated: boolean;
  readonly ladder: LadderProjection;
  readonly totals: StressTotals;
}

/** Runs the stress on `s` (read-only); throws `StressRequestError` on bad input, before reading anything else. */
export function stressQuery(s: RiskState, bookTop: BookTopProvider | undefined, request: unknown): StressReport {
  const stress = validateStressRequest(s, request);
  const view = new StressView(s, stress);
  const selection = selectStressScopes(view);
  const scopes: StressScope[] = [];
  const liquidating: number[] = [];
  let called = 0;
  let newlyCalled = 0;
  let newlyLiquidating = 0;
  let crossEvaluated = 0;
  for (const key of selection.keys) {
    if (key >= 0) crossEvaluated++;
    const scope = evaluateStressScope(view, key);
    if (scope.stateAfter === 'HEALTHY') continue;
    if (scope.stateAfter === 'LIQUIDATING') {
      liquidating.push(key);
      if (scope.stateBefore !== 'LIQUIDATING') newlyLiquidating++;
    } else {
      called++;
      if (scope.stateBefore === 'HEALTHY') newlyCalled++;
    }
    if (scopes.length < stress.maxScopes) scopes.push(scope);
  }
  const ladder = new StressLadder(view, bookTop);
  ladder.liquidateAll(liquidating);
  const projection = ladder.report();
  // every account is a trader but the fee account and the funds
  const traders = s.accounts.ids.length - 1 - s.fundSlotById.size;
  const sum = (f: (c: LadderProjection['closes'][0]) => number) => projection.closes.reduce((t, c) => t + f(c), 0);
  return {
    prices: stress.shockedMarkets.map((m) => ({
      market: s.markets[m].symbol,
      markSubticks: s.markets[m].markSubticks,
      stressedMarkSubticks: stress.markSubticks[m],
      stressedIndexSubticks: stress.indexSubticks[m],
    })),
    scopes,
    scopesTruncated: called + liquidating.length > scopes.length,
    ladder: projection,
    totals: {
      traderAccounts: traders,
      scopesEvaluated: selection.keys.length,
      accountsSkipped: traders - crossEvaluated,
      breachEntriesVisited: selection.entriesVisited,
      calledScopes: called,
      liquidatingScopes: liquidating.length,
      newlyLiquidatingScopes: newlyLiquidating,
      newlyCalledScopes: newlyCalled,
      positionsClosed: projection.closes.length,
      bookLots: sum((c) => c.bookLots),
      takeoverLots: sum((c) => c.takeoverLots),
      backstopLots: sum((c) => c.backstopLots),
      adlLots: sum((c) => c.adlLots),
      adlLegs: sum((c) => c.adlLegs.length),
      clearanceFeesUnits: projection.funds.reduce((t, f) => t + f.clearanceFeesUnits, 0),
      fundLossUnits: projection.funds.reduce((t, f) => t + f.lossUnits, 0),
    },
  };
}
