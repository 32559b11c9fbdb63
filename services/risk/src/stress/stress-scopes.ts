/**
 * Which scopes the stress must evaluate, and their exact state after it.
 *
 * Evaluated, in the order the live ladder would take them:
 * 1. scopes already LIQUIDATING or CALLED (a scan of the state columns, O(accounts
 *    + rows) of plain array reads): their figures change with any shock;
 * 2. per shocked market, in request order, the scopes whose breach-index entries
 *    the shocked price crosses: first the collateral dimensions the market's index
 *    prices, then the market's mark dimension, each heap in the order
 *    `popCrossed` would pop it (DOWN highest trigger first, then UP lowest first;
 *    equal triggers by ref);
 * 3. every holder of a market whose funding is stressed (PF moves for all of them,
 *    as `reevaluateMarketHolders` does at a funding time);
 * 4. every holder of a collateral asset whose haircut is stressed.
 *
 * Why skipping the rest is safe: the live margin watch keeps, for every HEALTHY or
 * CALLED scope with a basis, triggers per price dimension that split the scope's
 * slack (distance to the line its state watches, less a safety of a few units)
 * in proportion to its exposure, computed so that float error only fires early
 * (breach-triggers.ts). A scope none of whose triggers the stressed prices cross
 * has consumed less than its whole slack, summed over every dimension moved at
 * once, so it stays in its state: HEALTHY stays HEALTHY, CALLED stays CALLED.
 * Only prices move in that argument: funding and haircut changes move PF and
 * collateral value, which no trigger covers, hence steps 3 and 4. A scope with
 * basis 0 cannot breach (RISK-SPEC §3.4) and has no triggers.
 *
 * Each evaluation is the live `evaluateCross` / `evaluateIsolated` on the view's
 * own `ScopeEvaluator` (stress-view.ts), and the state follows margin-watch.ts:
 * LIQUIDATING stays LIQUIDATING, otherwise the exact classification.
 */
import { MarginMode } from '@perpcore/domain';
import { distanceToLevelUnits, marginLevelE8 } from '@perpcore/margin';
import { AccountKind } from '../accounts/account-book.js';
import { TriggerDirection } from '../margin-watch/breach-index.js';
import { MarginStateCode, marginStateCode, marginStateName } from '../margin-watch/margin-state-code.js';
import type { StressView } from './stress-view.js';

/** A scope as one integer: slot ≥ 0 (cross) or −(row + 1) (isolated), as margin-watch.ts collects them. */
export type ScopeKey = number;

export interface StressScope {
  readonly accountId: number;
  readonly mode: 'CROSS' | 'ISOLATED';
  /** The isolated position's market, '' for cross. */
  readonly market: string;
  readonly stateBefore: string;
  readonly stateAfter: string;
  readonly equityUnits: number;
  readonly maintenanceUnits: number;
  readonly basisUnits: number;
  readonly levelE8: number | null;
  readonly marginCallLevelE8: number;
  readonly liquidationLevelE8: number;
  /** `E − level × basis` (RISK-SPEC §6), after the stress. */
  readonly distanceToMarginCallUnits: number;
  readonly distanceToLiquidationUnits: number;
}

export interface ScopeSelection {
  /** Scopes to evaluate, ladder order, each once. */
  readonly keys: ScopeKey[];
  /** Breach-index entries visited (live and stale). */
  readonly entriesVisited: number;
}

/** The scopes the stress can affect, in ladder order (see the module doc). */
export function selectStressScopes(view: StressView): ScopeSelection {
  const s = view.live;
  const led = s.ledger;
  const acc = s.accounts;
  const seenCross = new Uint8Array(acc.ids.length);
  const seenRow = new Uint8Array(led.account.length);
  const keys: ScopeKey[] = [];
  const add = (key: ScopeKey): void => {
    if (key >= 0) {
      if (seenCross[key] !== 0 || acc.kind[key] !== AccountKind.Trader) return;
      seenCross[key] = 1;
    } else {
      const r = -key - 1;
      if (seenRow[r] !== 0 || acc.kind[led.account[r]] !== AccountKind.Trader) return;
      seenRow[r] = 1;
    }
    keys.push(key);
  };
  // one pass over each state column: the LIQUIDATING first (the ladder already holds them), then the CALLED
  const called: ScopeKey[] = [];
  const cross = acc.crossState;
  for (let slot = 0; slot < cross.length; slot++) {
    if (cross[slot] === MarginStateCode.Liquidating) add(slot);
    else if (cross[slot] === MarginStateCode.Called) called.push(slot);
  }
  const isolated = led.isolatedState;
  for (let r = 0; r < isolated.length; r++) {
    if (isolated[r] === MarginStateCode.Healthy || led.mode[r] !== MarginMode.Isolated) continue;
    if (isolated[r] === MarginStateCode.Liquidating) add(-r - 1);
    else called.push(-r - 1);
  }
  for (const key of called) add(key);
  let entriesVisited = 0;
  const crossed: { trigger: number; direction: number; ref: number }[] = [];
  const collect = (ref: number, direction: TriggerDirection, trigger: number) => crossed.push({ trigger, direction, ref });
  const popOrder = (a: (typeof crossed)[0], b: (typeof crossed)[0]) =>
    a.direction - b.direction || (a.direction === TriggerDirection.Down ? b.trigger - a.trigger : a.trigger - b.trigger) || a.ref - b.ref;
  const n = s.markets.length;
  for (const m of view.stress.shockedMarkets) {
    for (let c = 0; c < view.collateral.length; c++) {
      if (view.collateral[c].indexMarket !== m || view.collateral[c].price === s.setup.collateral[c].price) continue;
      crossed.length = 0;
      entriesVisited += s.breach.forEachCrossed(n + c, view.collateral[c].indexSubticks, collect);
      for (const e of crossed.sort(popOrder)) add(e.ref);
    }
    crossed.length = 0;
    entriesVisited += s.breach.forEachCrossed(m, view.mark(m), collect);
    for (const e of crossed.sort(popOrder)) add(led.mode[e.ref] === MarginMode.Isolated ? -e.ref - 1 : led.account[e.ref]);
  }
  for (let m = 0; m < n; m++) {
    if (view.stress.fundingRateE8[m] === null) continue;
    for (const r of led.rowsOfMarket[m]) if (led.qtyLots[r] !== 0) add(led.mode[r] === MarginMode.Isolated ? -r - 1 : led.account[r]);
  }
  for (let c = 0; c < view.collateral.length; c++) {
    if (view.stress.haircutRatioE8[c] === null) continue;
    const bit = 1 << (view.collateral[c].assetIndex - 1);
    for (let slot = 0; slot < acc.nonSettleMask.length; slot++) if ((acc.nonSettleMask[slot] & bit) !== 0) add(slot);
  }
  return { keys, entriesVisited };
}

/** The live state of a scope (before the stress). */
export function liveStateCode(view: StressView, key: ScopeKey): number {
  return key >= 0 ? view.live.accounts.crossState[key] : view.live.ledger.isolatedState[-key - 1];
}

/** Evaluates one scope on the view; the evaluator's result describes it until the next call. */
export function evaluateStressScope(view: StressView, key: ScopeKey): StressScope {
  const ev = view.evaluator;
  const s = view.live;
  const res = key >= 0 ? ev.evaluateCross(key) : ev.evaluateIsolated(-key - 1);
  const before = liveStateCode(view, key);
  const after = before === MarginStateCode.Liquidating ? before : marginStateCode(res.state);
  const slot = key >= 0 ? key : s.ledger.account[-key - 1];
  const levels = ev.levels;
  return {
    accountId: s.accounts.ids[slot],
    mode: key >= 0 ? 'CROSS' : 'ISOLATED',
    market: key >= 0 ? '' : s.markets[s.ledger.market[-key - 1]].symbol,
    stateBefore: marginStateName(before),
    stateAfter: marginStateName(after),
    equityUnits: res.equityUnits,
    maintenanceUnits: res.maintenanceUnits,
    basisUnits: res.basisUnits,
    levelE8: marginLevelE8(res.equityUnits, res.basisUnits),
    marginCallLevelE8: levels.marginCallLevelE8,
    liquidationLevelE8: levels.liquidationLevelE8,
    distanceToMarginCallUnits: distanceToLevelUnits(res.equityUnits, res.basisUnits, levels.marginCallLevelE8),
    distanceToLiquidationUnits: distanceToLevelUnits(res.equityUnits, res.basisUnits, levels.liquidationLevelE8),
  };
}
