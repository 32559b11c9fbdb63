/**
 * Margin watch (RISK-SPEC §6): evaluates scopes exactly, emits the transition
 * events, and keeps the breach index's triggers fresh.
 *
 * - Transitions only: HEALTHY → CALLED `MarginCallV1`; CALLED → HEALTHY
 *   `MarginCallClearedV1`; anything → LIQUIDATING `LiquidationTriggeredV1` (with a
 *   new liquidation id and each position's bankruptcy price). LIQUIDATING is sticky
 *   until the liquidation ledger releases the scope (risk-ledger.ts): `release`
 *   emits LIQUIDATING → HEALTHY `LiquidationReleasedV1`, then evaluates the scope
 *   from HEALTHY like any other (a call or a new liquidation follows if due). Every
 *   state change is one event, so a consumer folding them holds each scope's state.
 * - Who is evaluated: on a mark (or collateral index) move, only the scopes whose
 *   trigger the move crossed (breach-index.ts); on a fill, funding settlement or
 *   transfer, the accounts it touched; at a funding time, every holder of the market
 *   (PF moved for all of them: one pass per market per funding interval).
 * - Every evaluated scope gets fresh triggers (its old entries go stale), and is
 *   reported to the kept ADL ranking (adl-rankings.ts), which rescores it at its next read.
 * `touchedLastMove` counts the scopes the last price move re-evaluated.
 */
import { MarginMode, Rounding, mulDiv } from '@perpcore/domain';
import { MarkMethod, bankruptcyClose, isolatedBankruptcyClose, type CrossEvaluation } from '@perpcore/margin';
import { perpcore } from '@perpcore/proto';
import type { TriggerDirection } from './breach-index.js';
import { MarginStateCode, marginStateCode } from './margin-state-code.js';
import type { RiskState } from '../risk-state.js';

const E8 = 100_000_000;
const WireMarkMethod = perpcore.risk.v1.MarkMethod;

export function markMethodToWire(method: MarkMethod): perpcore.risk.v1.MarkMethod {
  return method === MarkMethod.Index ? WireMarkMethod.MARK_METHOD_INDEX : method === MarkMethod.FairBasis ? WireMarkMethod.MARK_METHOD_FAIR_BASIS : WireMarkMethod.MARK_METHOD_MEDIAN3;
}

export class MarginWatch {
  touchedLastMove = 0;
  /** `E − Σ IM` of the last cross scope evaluated by `reevaluateCross` (the maker re-check reads it). */
  lastCrossAvailableUnits = 0;
  entriesPoppedLastMove = 0;
  private stamp = 1;
  private readonly crossStamp: number[] = [];
  private readonly rowStamp: number[] = [];
  /** Scopes collected by a move: slot ≥ 0 (cross) or −(row + 1) (isolated). */
  private collected = new Int32Array(1024);
  private collectedCount = 0;
  private popDim = 0;

  constructor(private readonly s: RiskState) {}

  /** Re-evaluates every scope of an account (after a fill, funding settlement or transfer). */
  reevaluateAccount(slot: number, triggerMarket: number, tsNs: number): void {
    if (!this.s.isTrader(slot)) return;
    const led = this.s.ledger;
    this.reevaluateCross(slot, triggerMarket, tsNs);
    for (let r = this.s.accounts.firstRow[slot]; r >= 0; r = led.nextOfAccount[r]) {
      if (led.mode[r] === MarginMode.Isolated && (led.qtyLots[r] !== 0 || led.isolatedState[r] !== MarginStateCode.Healthy)) this.reevaluateIsolated(r, triggerMarket, tsNs);
    }
  }

  reevaluateCross(slot: number, triggerMarket: number, tsNs: number): void {
    const s = this.s;
    const res = s.evaluator.evaluateCross(slot);
    this.lastCrossAvailableUnits = res.equityUnits - s.evaluator.initialUnits;
    const prev = s.accounts.crossState[slot];
    const next = prev === MarginStateCode.Liquidating ? prev : marginStateCode(res.state);
    if (next !== prev) {
      if (next === MarginStateCode.Liquidating) s.accounts.crossLiquidationId[slot] = s.nextLiquidationId++;
      this.emitTransition(slot, -1, prev, next, res, triggerMarket, tsNs);
      s.accounts.crossState[slot] = next;
    }
    s.triggers.clearCross(slot);
    s.triggers.place(s.evaluator, slot, next);
    s.adlRankings.changed(slot);
  }

  reevaluateIsolated(r: number, triggerMarket: number, tsNs: number): void {
    const s = this.s;
    const res = s.evaluator.evaluateIsolated(r);
    const prev = s.ledger.isolatedState[r];
    const next = prev === MarginStateCode.Liquidating ? prev : marginStateCode(res.state);
    const slot = s.ledger.account[r];
    if (next !== prev) {
      if (next === MarginStateCode.Liquidating) s.ledger.isolatedLiquidationId[r] = s.nextLiquidationId++;
      this.emitTransition(slot, r, prev, next, res, triggerMarket, tsNs);
      s.ledger.isolatedState[r] = next;
    }
    s.triggers.clearRow(r);
    s.triggers.place(s.evaluator, -1, next);
    s.adlRankings.changed(slot);
  }

  /**
   * Ends a scope's LIQUIDATING state (`isolatedRow` −1: the cross scope of `slot`):
   * `LiquidationReleasedV1` with the level at release, then the usual evaluation.
   */
  release(slot: number, isolatedRow: number, triggerMarket: number, tsNs: number): void {
    const s = this.s;
    const res = isolatedRow >= 0 ? s.evaluator.evaluateIsolated(isolatedRow) : s.evaluator.evaluateCross(slot);
    const liquidationId = isolatedRow >= 0 ? s.ledger.isolatedLiquidationId[isolatedRow] : s.accounts.crossLiquidationId[slot];
    const level = this.level(isolatedRow, res, triggerMarket);
    s.events.account(s.accounts.ids[slot], slot, level.scope?.market ?? '', tsNs, {
      event: 'liquidationReleased',
      liquidationReleased: { scope: level.scope, liquidationId, level } as perpcore.risk.v1.LiquidationReleasedV1,
    });
    if (isolatedRow >= 0) {
      s.ledger.isolatedState[isolatedRow] = MarginStateCode.Healthy;
      this.reevaluateIsolated(isolatedRow, triggerMarket, tsNs);
    } else {
      s.accounts.crossState[slot] = MarginStateCode.Healthy;
      this.reevaluateCross(slot, triggerMarket, tsNs);
    }
  }

  /** A price dimension moved: re-evaluate the scopes whose triggers it crossed. */
  onPriceMoved(dim: number, priceSubticks: number, triggerMarket: number, tsNs: number): number {
    this.stamp++;
    this.collectedCount = 0;
    this.popDim = dim;
    this.entriesPoppedLastMove = this.s.breach.popCrossed(dim, priceSubticks, this.collect);
    const n = this.collectedCount;
    for (let i = 0; i < n; i++) {
      const scope = this.collected[i];
      if (scope >= 0) this.reevaluateCross(scope, triggerMarket, tsNs);
      else this.reevaluateIsolated(-scope - 1, triggerMarket, tsNs);
    }
    this.touchedLastMove = n;
    return n;
  }

  /** Funding moved PF for every holder of the market: evaluate them all. */
  reevaluateMarketHolders(m: number, tsNs: number): number {
    this.stamp++;
    this.collectedCount = 0;
    const led = this.s.ledger;
    for (const r of led.rowsOfMarket[m]) {
      if (led.qtyLots[r] !== 0 && this.s.isTrader(led.account[r])) this.add(led.mode[r] === MarginMode.Isolated ? -r - 1 : led.account[r]);
    }
    const n = this.collectedCount;
    for (let i = 0; i < n; i++) {
      const scope = this.collected[i];
      if (scope >= 0) this.reevaluateCross(scope, m, tsNs);
      else this.reevaluateIsolated(-scope - 1, m, tsNs);
    }
    return n;
  }

  private readonly collect = (ref: number, direction: TriggerDirection): void => {
    const s = this.s;
    s.triggers.consumed(this.popDim, ref, direction);
    if (this.popDim >= s.markets.length) this.add(ref);
    else this.add(s.ledger.mode[ref] === MarginMode.Isolated ? -ref - 1 : s.ledger.account[ref]);
  };

  private add(scope: number): void {
    if (scope >= 0) {
      while (this.crossStamp.length <= scope) this.crossStamp.push(0);
      if (this.crossStamp[scope] === this.stamp) return;
      this.crossStamp[scope] = this.stamp;
    } else {
      const r = -scope - 1;
      while (this.rowStamp.length <= r) this.rowStamp.push(0);
      if (this.rowStamp[r] === this.stamp) return;
      this.rowStamp[r] = this.stamp;
    }
    if (this.collectedCount === this.collected.length) {
      const bigger = new Int32Array(this.collected.length * 2);
      bigger.set(this.collected);
      this.collected = bigger;
    }
    this.collected[this.collectedCount++] = scope;
  }

  private emitTransition(slot: number, isolatedRow: number, prev: number, next: number, res: CrossEvaluation, triggerMarket: number, tsNs: number): void {
    const s = this.s;
    const level = this.level(isolatedRow, res, triggerMarket);
    const isolatedMarket = level.scope?.market ?? '';
    const accountId = s.accounts.ids[slot];
    if (next === MarginStateCode.Liquidating) {
      const liquidationId = isolatedRow >= 0 ? s.ledger.isolatedLiquidationId[isolatedRow] : s.accounts.crossLiquidationId[slot];
      s.events.account(accountId, slot, isolatedMarket, tsNs, {
        event: 'liquidationTriggered',
        liquidationTriggered: { level, liquidationId, positions: this.bankruptcies(isolatedRow, res) } as perpcore.risk.v1.LiquidationTriggeredV1,
      });
    } else if (next === MarginStateCode.Called && prev === MarginStateCode.Healthy) {
      s.events.account(accountId, slot, isolatedMarket, tsNs, { event: 'marginCall', marginCall: { level } as perpcore.risk.v1.MarginCallV1 });
    } else if (next === MarginStateCode.Healthy) {
      s.events.account(accountId, slot, isolatedMarket, tsNs, { event: 'marginCallCleared', marginCallCleared: { level } as perpcore.risk.v1.MarginCallClearedV1 });
    }
  }

  /** The level body of a transition event for the scope just evaluated (`res`). */
  private level(isolatedRow: number, res: CrossEvaluation, triggerMarket: number): perpcore.risk.v1.MarginLevelV1 {
    const s = this.s;
    const levels = s.evaluator.levels;
    const market = s.markets[triggerMarket];
    const isolatedMarket = isolatedRow >= 0 ? s.markets[s.ledger.market[isolatedRow]].symbol : '';
    return {
      scope: { mode: isolatedRow >= 0 ? MarginMode.Isolated : MarginMode.Cross, market: isolatedMarket },
      equityUnits: String(res.equityUnits),
      basisUnits: String(res.basisUnits),
      levelE8: res.basisUnits > 0 ? mulDiv(res.equityUnits, E8, res.basisUnits, Rounding.TowardZero) : 0,
      marginCallLevelE8: levels.marginCallLevelE8,
      liquidationLevelE8: levels.liquidationLevelE8,
      triggerMarket: market.symbol,
      markSubticks: market.markSubticks,
      markMethod: markMethodToWire(market.params.markMethod),
    } as perpcore.risk.v1.MarginLevelV1;
  }

  /** Bankruptcy price of each position of the scope just evaluated (RISK-SPEC §4). */
  private bankruptcies(isolatedRow: number, res: CrossEvaluation): perpcore.risk.v1.PositionBankruptcyV1[] {
    const s = this.s;
    const ev = s.evaluator;
    const out: perpcore.risk.v1.PositionBankruptcyV1[] = [];
    for (let i = 0; i < ev.rowCount; i++) {
      const r = ev.rows[i];
      const q = s.ledger.qtyLots[r];
      if (q === 0) continue;
      const market = s.markets[s.ledger.market[r]];
      const mark = ev.marks[market.index];
      const bpTicks =
        isolatedRow >= 0
          ? isolatedBankruptcyClose(market.params, { qtyLots: q, costUnits: s.ledger.costUnits[r], isolatedMarginUnits: s.ledger.isolatedUnits[r], pendingFundingUnits: s.ledger.pendingFundingUnits[r] }).limitPriceTicks
          : bankruptcyClose(market.params, { qtyLots: q, closeLots: Math.abs(q), markSubticks: mark, scopeEquityUnits: res.equityUnits, scopeMaintenanceUnits: res.maintenanceUnits }).limitPriceTicks;
      out.push({
        market: market.symbol,
        positionLots: q,
        bankruptcyPriceTicks: bpTicks,
        markSubticks: mark,
        maintenanceUnits: res.positionMaintenanceUnits[i],
      } as perpcore.risk.v1.PositionBankruptcyV1);
    }
    return out;
  }
}
