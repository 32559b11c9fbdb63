/**
 * The liquidation engine: takes over breached scopes and walks RISK-SPEC §8's
 * ladder for each, as a deterministic state machine driven by events.
 *
 * Ladder (one `Liquidation` per scope)
 * 1. `LiquidationTriggeredV1` → cancel the account's open orders (releases their
 *    margin), re-check at the current mark; not liquidating any more → abort.
 * 2. Pick the position with the largest MMpos (ties by symbol), size the step
 *    (`liquidationStepLots`), price an IOC at the step's bankruptcy price — long
 *    sells at a limit rounded up, short buys rounded down, tightened to the market's
 *    price band around the mark — and wait for its terminal event.
 * 3. Each fill of that IOC: surplus = proceeds − BPamount(filled lots) (exact,
 *    pro rata of the step's exact BPamount, floored); the clearance fee
 *    `min(ceil(rate × notional), surplus)` goes to the fund.
 * 4. After the IOC: re-check. Restored → `LiquidationCompletedV1{RESTORED}`. Lots
 *    left unfilled (or the level at/below `takeoverLevel`) → the first backstop
 *    liquidator that can (an account the operator signed up, judged on its
 *    initial margin after) takes the rest of that position at BP
 *    (`BackstopTakeoverV1`); if none can, the fund takes it at BP (with who
 *    declined, `backstop_declined`); if it cannot (limits), one ADL run against
 *    the opposite positions (ranked traders, then the fund's own opposite
 *    position, then opposite scopes being liquidated themselves: long = short, so
 *    the run always closes the whole position), every counterparty at the one BP
 *    of that whole remaining position. A scope deleveraged while its own ladder
 *    runs sees its smaller position and new BP at its next step (read from risk);
 *    one whose step IOC in that market is still out is taken last. The events
 *    state the price the ledger actually used (`bankruptcyPriceTicks`,
 *    `fillPriceTicks`), the exact split of BPamount and each counterparty's tier.
 *    Otherwise the next step after `cooldownMs`.
 * 5. No positions left → sweep residue / cover deficit → `LiquidationCompletedV1{CLOSED}`,
 *    with what could not be covered as `uncoveredDeficitUnits` (bad debt).
 *
 * Bankruptcy price below one tick (a book price cannot be): the IOC's limit is at
 * least 1 tick, and the takeover or ADL fills at 1 tick. A long pays the fund the
 * larger tick difference; a short's shortfall (BPamount it could not receive)
 * stays in the scope, is carried by the BP of its remaining positions or, once
 * flat, covered by conversion and the fund, and recorded as bad debt beyond that.
 * The ladder therefore always closes the position and reaches
 * `LiquidationCompletedV1`.
 *
 * Faults: a trigger for an unknown scope, a trigger whose liquidation id is not the
 * one risk holds the scope in (healthy scope, replay of an ended liquidation), a
 * duplicate trigger, and a replayed fill (same market trade sequence) are ignored
 * with a logged reason; nothing is counted twice. A trigger risk does hold is always
 * carried to `completed` or `aborted` (which releases the scope), however late it is
 * read: the live level at that moment only decides which (§8.2).
 *
 * Time comes only from events (`tsNs`); the engine has no clock.
 */
import { Side } from '@perpcore/domain';
import { type Bankruptcy, clearanceFeeUnits, compareLiquidationPriority, liquidationStepLots, MarginState } from '@perpcore/margin';
import { SCHEMA_MAJOR_V1, type LiquidationEventV1, type MatchingEventV1, type perpcore } from '@perpcore/proto';
import type { BankruptcyClose, LiquidationLedger, OrderPlacer, RiskReader, ScopePosition, ScopeRef } from './liquidation-ports.js';
import { bandedLimitTicks, surplusUnits } from './liquidation-pricing.js';
import { captureState, restoreState } from '@perpcore/snapshot';

/** The bus behind the order placer is wiring, not the ladder's state. */
const notState = { skip: (v: object) => typeof (v as { subscribe?: unknown }).subscribe === 'function' && typeof (v as { publish?: unknown }).publish === 'function' };

const Phase = { AwaitingOrder: 1, CoolingDown: 2, Done: 3 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

interface Liquidation {
  readonly scope: ScopeRef;
  readonly liquidationId: number;
  phase: Phase;
  stepIndex: number;
  orderId: number;
  orderMarket: string;
  orderLots: number;
  filledLots: number;
  stepBankruptcy: Bankruptcy | null;
  resumeAtNs: number;
  triggerMarket: string;
}

export interface LiquidationTrigger {
  readonly accountId: number;
  readonly isolatedMarket: string;
  readonly liquidationId: number;
  readonly tsNs: number;
  /** The market whose mark moved (for the record). */
  readonly market: string;
}

export interface LiquidationEngineDeps {
  reader: RiskReader;
  ledger: LiquidationLedger;
  placer: OrderPlacer;
  publish: (event: LiquidationEventV1) => void;
  /** Why an input was ignored (unknown scope, duplicate, replay); the service logs it. */
  onIgnored?: (reason: string, detail: Record<string, unknown>) => void;
  source?: string;
  /** Liquidation order ids start here: a range no gateway uses (default 2^52). */
  firstOrderId?: number;
  /** Markets whose ADL indicator the engine refreshes and publishes. */
  markets?: readonly string[];
  /** Overrides the markets' `adlIndicatorRefreshMs` (event time; a fast simulation refreshes less often). */
  adlRefreshMs?: number;
}

export interface LiquidationCounters {
  triggered: number;
  aborted: number;
  restored: number;
  closed: number;
  stepOrders: number;
  liquidationFills: number;
  takeovers: number;
  backstopTakeovers: number;
  deleveragedLegs: number;
  ignored: number;
  clearanceFeesUnits: bigint;
}

export class LiquidationEngine {
  private readonly active = new Map<string, Liquidation>();
  private readonly byOrderId = new Map<number, Liquidation>();
  private readonly cooling: Liquidation[] = [];
  private readonly seqByAccount = new Map<number, number>();
  private readonly lastTradeSeq = new Map<string, number>();
  private nextOrderId: number;
  private readonly source: string;
  private readonly seqByMarket = new Map<string, number>();
  private readonly adlBuckets = new Map<string, Map<number, number>>();
  private nextAdlRefreshNs = 0;
  readonly counters: LiquidationCounters = {
    triggered: 0,
    aborted: 0,
    restored: 0,
    closed: 0,
    stepOrders: 0,
    liquidationFills: 0,
    takeovers: 0,
    backstopTakeovers: 0,
    deleveragedLegs: 0,
    ignored: 0,
    clearanceFeesUnits: 0n,
  };

  constructor(private readonly deps: LiquidationEngineDeps) {
    this.source = deps.source ?? 'liquidation-0';
    this.nextOrderId = deps.firstOrderId ?? 2 ** 52;
  }

  /**
   * The ladder's complete state (liquidations in flight with their step, order and
   * bankruptcy, cooldowns, sequences, order id allocator, ADL indicators, counters,
   * and the ports' own state such as the placer's sequences) as bytes.
   */
  exportState(): Uint8Array {
    return captureState(this, notState);
  }

  /** Loads `exportState()`'s bytes into this engine, which must be fresh; throws, changing nothing, if they do not fit. */
  importState(bytes: Uint8Array): void {
    restoreState(this, bytes, notState);
  }

  activeCount(): number {
    return this.active.size;
  }

  isLiquidating(accountId: number, isolatedMarket: string): boolean {
    return this.active.has(scopeKey({ accountId, isolatedMarket }));
  }

  onTriggered(trigger: LiquidationTrigger): void {
    const scope: ScopeRef = { accountId: trigger.accountId, isolatedMarket: trigger.isolatedMarket };
    const key = scopeKey(scope);
    if (this.active.has(key)) return this.ignore('duplicate trigger: the scope is already being liquidated', { ...trigger });
    const health = this.deps.reader.scopeHealth(scope);
    if (health === undefined) return this.ignore('trigger for an unknown scope', { ...trigger });
    // Whether to take the scope is risk's remembered state, not the live level: a trigger
    // read late (over Kafka, seconds behind) may find the mark recovered, and ignoring it
    // would leave risk holding the scope LIQUIDATING with no ladder to release it. §8.2's
    // re-check below aborts such a liquidation, which releases the scope.
    if (health.heldLiquidationId !== trigger.liquidationId) {
      return this.ignore('trigger for a liquidation risk does not hold the scope in', { ...trigger, heldLiquidationId: health.heldLiquidationId, state: health.state });
    }
    const liq: Liquidation = {
      scope,
      liquidationId: trigger.liquidationId,
      phase: Phase.AwaitingOrder,
      stepIndex: 0,
      orderId: 0,
      orderMarket: '',
      orderLots: 0,
      filledLots: 0,
      stepBankruptcy: null,
      resumeAtNs: 0,
      triggerMarket: trigger.market,
    };
    this.active.set(key, liq);
    this.counters.triggered++;
    // §8.1: cancel first; the level test does not depend on open orders, so the re-check can follow at once
    this.deps.placer.cancelAllOrders(scope.accountId, trigger.tsNs);
    this.advance(liq, trigger.tsNs, true);
  }

  /** Fills and terminal events of the engine's own IOC orders. */
  onMatchingEvent(event: MatchingEventV1): void {
    switch (event.event) {
      case 'filled': {
        const f = event.filled as perpcore.matching.v1.OrderFilledV1;
        if (f.liquidationId === 0) return;
        const last = this.lastTradeSeq.get(event.market) ?? 0;
        const liq = this.byOrderId.get(f.takerOrderId);
        if (liq === undefined) {
          if (f.tradeSeq <= last) this.ignore('replayed liquidation fill of a finished step', { market: event.market, tradeSeq: f.tradeSeq, liquidationId: f.liquidationId });
          return;
        }
        if (f.tradeSeq <= last) return this.ignore('replayed liquidation fill', { market: event.market, tradeSeq: f.tradeSeq });
        this.lastTradeSeq.set(event.market, f.tradeSeq);
        this.onStepFill(liq, event, f);
        if (f.takerRemainingLots === 0) this.onStepDone(liq, event.tsNs);
        return;
      }
      case 'canceled': {
        const c = event.canceled as perpcore.matching.v1.OrderCanceledV1;
        const liq = this.byOrderId.get(c.orderId);
        if (liq !== undefined && liq.orderId === c.orderId) this.onStepDone(liq, event.tsNs);
        return;
      }
      case 'rejected': {
        const r = event.rejected as perpcore.matching.v1.OrderRejectedV1;
        const liq = this.byOrderId.get(r.orderId);
        if (liq !== undefined && liq.orderId === r.orderId) {
          this.ignore('liquidation order rejected by matching; falling back to takeover', { orderId: r.orderId, code: r.code });
          this.onStepDone(liq, event.tsNs);
        }
        return;
      }
      default:
    }
  }

  /** The last published ADL bucket (1–5) of an account's position in a market, if it has one. */
  adlBucket(market: string, accountId: number): number | undefined {
    return this.adlBuckets.get(market)?.get(accountId);
  }

  /**
   * Event time moved on: refresh the advisory ADL indicator when its period has
   * passed (`adlIndicatorRefreshMs`, §8), and resume scopes whose cooldown is over.
   */
  onTime(tsNs: number): void {
    if (tsNs >= this.nextAdlRefreshNs && this.deps.markets !== undefined && this.deps.markets.length > 0) this.refreshAdlIndicators(tsNs);
    if (this.cooling.length === 0) return;
    const due = this.cooling.filter((l) => l.resumeAtNs <= tsNs);
    if (due.length === 0) return;
    for (const liq of due) this.cooling.splice(this.cooling.indexOf(liq), 1);
    for (const liq of due) {
      liq.phase = Phase.AwaitingOrder;
      this.advance(liq, tsNs, false);
    }
  }

  private refreshAdlIndicators(tsNs: number): void {
    let periodMs = Number.POSITIVE_INFINITY;
    for (const market of this.deps.markets ?? []) {
      periodMs = Math.min(periodMs, this.deps.reader.marketParams(market).adlIndicatorRefreshMs);
      const entries = this.deps.reader.adlIndicator(market);
      const buckets = new Map<number, number>();
      for (const e of entries) buckets.set(e.accountId, e.bucket);
      this.adlBuckets.set(market, buckets);
      const seq = (this.seqByMarket.get(market) ?? 0) + 1;
      this.seqByMarket.set(market, seq);
      this.deps.publish({
        schemaMajor: SCHEMA_MAJOR_V1,
        seq,
        tsNs,
        source: this.source,
        accountId: 0,
        liquidationId: 0,
        market,
        event: 'adlIndicator',
        adlIndicator: { entries: entries.map((e) => ({ accountId: e.accountId, side: e.sideSign > 0 ? 1 : 2, adlBucket: e.bucket })) },
      } as LiquidationEventV1);
    }
    this.nextAdlRefreshNs = tsNs + (this.deps.adlRefreshMs ?? periodMs) * 1_000_000;
  }

  private onStepFill(liq: Liquidation, event: MatchingEventV1, f: perpcore.matching.v1.OrderFilledV1): void {
    const bankruptcy = liq.stepBankruptcy as Bankruptcy;
    const spec = this.deps.reader.marketSpec(event.market);
    const params = this.deps.reader.marketParams(event.market);
    liq.filledLots += f.qtyLots;
    const notionalUnits = f.qtyLots * f.priceTicks * spec.lotTickUnits;
    const closingLong = f.takerSide === 2; // SIDE_SELL on the wire: the liquidated long sells
    const surplus = surplusUnits(bankruptcy, liq.orderLots, f.qtyLots, f.priceTicks, spec.lotTickUnits, closingLong);
    const fee = clearanceFeeUnits(params, notionalUnits, Math.max(0, surplus));
    this.counters.liquidationFills++;
    const e = this.envelope(liq, event.tsNs);
    e.event = 'fill';
    e.fill = { market: event.market, tradeSeq: f.tradeSeq, qtyLots: f.qtyLots, priceTicks: f.priceTicks, surplusUnits: surplus, clearanceFeeUnits: fee };
    this.deps.publish(e);
    if (fee > 0) {
      const balanceAfter = this.deps.ledger.chargeClearanceFee(liq.scope, event.market, fee, liq.liquidationId, event.tsNs);
      this.counters.clearanceFeesUnits += BigInt(fee);
      this.publishFundDelta(liq, event.tsNs, params.insuranceFundId, spec.settleAsset, fee, balanceAfter, 1);
    }
  }

  private onStepDone(liq: Liquidation, tsNs: number): void {
    this.byOrderId.delete(liq.orderId);
    const unfilled = liq.orderLots - liq.filledLots;
    const market = liq.orderMarket;
    liq.orderId = 0;
    liq.stepBankruptcy = null;
    if (unfilled > 0) {
      // §8.7: the book could not absorb the step at or better than BP
      const { positions, health } = this.deps.reader.scopeCheck(liq.scope);
      const position = positions.find((p) => p.market === market);
      if (position !== undefined && position.qtyLots !== 0 && health?.state === MarginState.Liquidating && !this.takeOverOrDeleverage(liq, position, tsNs)) return;
    }
    const params = this.deps.reader.marketParams(market);
    if (params.partial.cooldownMs > 0 && unfilled === 0) {
      liq.phase = Phase.CoolingDown;
      liq.resumeAtNs = tsNs + params.partial.cooldownMs * 1_000_000;
      this.cooling.push(liq);
      return;
    }
    this.advance(liq, tsNs, false);
  }

  private advance(liq: Liquidation, tsNs: number, firstCheck: boolean): void {
    const reader = this.deps.reader;
    for (let guard = 0; guard < 10_000; guard++) {
      const { positions, health } = reader.scopeCheck(liq.scope);
      if (positions.length === 0) return this.complete(liq, tsNs, 2);
      if (health === undefined || health.state !== MarginState.Liquidating) {
        if (firstCheck) return this.abort(liq, tsNs, health?.levelE8 ?? 0);
        return this.complete(liq, tsNs, 1);
      }
      firstCheck = false;
      const position = pickPosition(positions);
      if (health.belowTakeover) {
        if (!this.takeOverOrDeleverage(liq, position, tsNs)) return;
        continue;
      }
      this.placeStep(liq, position, tsNs);
      return;
    }
    throw new Error(`liquidation ${liq.liquidationId} did not converge`);
  }

  private placeStep(liq: Liquidation, position: ScopePosition, tsNs: number): void {
    const reader = this.deps.reader;
    const params = reader.marketParams(position.market);
    const spec = reader.marketSpec(position.market);
    const lots = liquidationStepLots(params, position.qtyLots, position.markSubticks);
    const bankruptcy = reader.bankruptcy(liq.scope, position.market, lots);
    const side = position.qtyLots > 0 ? Side.Sell : Side.Buy;
    const limit = bandedLimitTicks(spec, params, side, bankruptcy.limitPriceTicks, position.markSubticks);
    liq.stepIndex++;
    liq.orderId = this.nextOrderId++;
    liq.orderMarket = position.market;
    liq.orderLots = lots;
    liq.filledLots = 0;
    liq.stepBankruptcy = bankruptcy;
    liq.phase = Phase.AwaitingOrder;
    this.byOrderId.set(liq.orderId, liq);
    this.counters.stepOrders++;
    const e = this.envelope(liq, tsNs);
    e.event = 'stepOrdered';
    e.stepOrdered = {
      stepIndex: liq.stepIndex,
      market: position.market,
      orderId: liq.orderId,
      side: side === Side.Buy ? 1 : 2,
      qtyLots: lots,
      limitPriceTicks: limit,
      bankruptcyPriceTicks: bankruptcy.limitPriceTicks,
    };
    this.deps.publish(e);
    this.deps.placer.placeLiquidationOrder({
      market: position.market,
      orderId: liq.orderId,
      accountId: liq.scope.accountId,
      side,
      qtyLots: lots,
      limitPriceTicks: limit,
      liquidationId: liq.liquidationId,
      tsNs,
    });
  }

  /** A takeover's tick difference (scope → fund) as the fund's delta, when there is one. */
  private publishTickDifference(liq: Liquidation, tsNs: number, fundId: string, asset: string, close: BankruptcyClose): void {
    if (close.tickDifferenceUnits !== 0) this.publishFundDelta(liq, tsNs, fundId, asset, close.tickDifferenceUnits, close.fundBalanceAfterUnits, 2);
  }

  /** False when ADL was refused (the ladder then parks, see below). */
  private takeOverOrDeleverage(liq: Liquidation, position: ScopePosition, tsNs: number): boolean {
    const reader = this.deps.reader;
    const params = reader.marketParams(position.market);
    const spec = reader.marketSpec(position.market);
    const backstop = this.deps.ledger.backstopTakeover(liq.scope, position.market, liq.liquidationId, tsNs);
    const declined = [...backstop.declined];
    if (backstop.ok) {
      this.counters.backstopTakeovers++;
      const e = this.envelope(liq, tsNs);
      e.event = 'backstopTakeover';
      e.backstopTakeover = {
        ...takeoverFigures(position, backstop),
        liquidatorAccountId: backstop.liquidatorAccountId,
        liquidatorPositionAfterLots: backstop.liquidatorPositionAfterLots,
        declined,
      } as perpcore.liquidation.v1.BackstopTakeoverV1;
      this.deps.publish(e);
      this.publishTickDifference(liq, tsNs, params.insuranceFundId, spec.settleAsset, backstop);
      return true;
    }
    const takeover = this.deps.ledger.insuranceTakeover(liq.scope, position.market, liq.liquidationId, tsNs);
    if (takeover.ok) {
      this.counters.takeovers++;
      const e = this.envelope(liq, tsNs);
      e.event = 'insuranceTakeover';
      e.insuranceTakeover = {
        ...takeoverFigures(position, takeover),
        fundId: params.insuranceFundId,
        backstopDeclined: declined,
      } as perpcore.liquidation.v1.InsuranceTakeoverV1;
      this.deps.publish(e);
      this.publishTickDifference(liq, tsNs, params.insuranceFundId, spec.settleAsset, takeover);
      return true;
    }
    // a halted risk stage refuses every mutation (its stage-halt.ts): the ladder stops here, quietly
    if (takeover.reason === 'RISK_STAGE_HALTED') return true;
    let run;
    try {
      run = this.deps.ledger.deleverage(liq.scope, position.market, liq.liquidationId, tsNs, () => this.stepsInFlight(liq, position.market));
    } catch (err) {
      // a reject means risk's state moved under the ladder (the run itself always covers the
      // position); nothing changed, so the ladder parks with the scope held for operators
      // (heldLiquidations) instead of throwing out of the stage
      this.ignore('ADL_REFUSED', { liquidationId: liq.liquidationId, market: position.market, takeover: takeover.reason, error: (err as Error).message });
      return false;
    }
    for (const leg of run.legs) {
      this.counters.deleveragedLegs++;
      const e = this.envelope(liq, tsNs);
      e.event = 'positionDeleveraged';
      e.positionDeleveraged = {
        market: position.market,
        counterpartyAccountId: leg.counterpartyAccountId,
        qtyLots: leg.qtyLots,
        counterpartySide: leg.counterpartySide === Side.Buy ? 1 : 2,
        bankruptcyPriceTicks: run.bankruptcyPriceTicks,
        counterpartyRemainingLots: leg.counterpartyRemainingLots,
        tickDifferenceUnits: leg.tickDifferenceUnits,
        fillPriceTicks: run.fillPriceTicks,
        bankruptcyAmountUnits: leg.bankruptcyAmountUnits,
        shortfallUnits: leg.shortfallUnits,
        counterpartyKind: leg.kind,
      };
      this.deps.publish(e);
    }
    if (run.tickDifferenceUnits !== 0) {
      this.publishFundDelta(liq, tsNs, params.insuranceFundId, spec.settleAsset, run.tickDifferenceUnits, run.fundBalanceAfterUnits, 2);
    }
    return true;
  }

  /** Other ladders whose step IOC in `market` is still out (ADL takes their scopes last). Rare path. */
  private stepsInFlight(liq: Liquidation, market: string): ScopeRef[] {
    const out: ScopeRef[] = [];
    for (const other of this.active.values()) if (other !== liq && other.phase === Phase.AwaitingOrder && other.orderMarket === market) out.push(other.scope);
    return out;
  }

  private complete(liq: Liquidation, tsNs: number, outcome: 1 | 2): void {
    let residueSweptUnits = 0;
    let deficitCoveredUnits = 0;
    let uncoveredDeficitUnits = 0;
    if (outcome === 2) {
      const done = this.deps.ledger.completeScope(liq.scope, liq.liquidationId, tsNs);
      residueSweptUnits = done.residueSweptUnits;
      deficitCoveredUnits = done.deficitCoveredUnits;
      uncoveredDeficitUnits = done.uncoveredDeficitUnits;
      this.counters.closed++;
    } else {
      this.counters.restored++;
    }
    const e = this.envelope(liq, tsNs);
    e.event = 'completed';
    e.completed = { outcome, residueSweptUnits, deficitCoveredUnits, uncoveredDeficitUnits };
    this.deps.publish(e);
    this.finish(liq);
    this.deps.ledger.releaseScope(liq.scope, tsNs);
  }

  private abort(liq: Liquidation, tsNs: number, levelE8: number): void {
    this.counters.aborted++;
    const e = this.envelope(liq, tsNs);
    e.event = 'aborted';
    e.aborted = { levelE8, reason: 'LIQUIDATION_LEVEL_RESTORED' };
    this.deps.publish(e);
    this.finish(liq);
    this.deps.ledger.releaseScope(liq.scope, tsNs);
  }

  private finish(liq: Liquidation): void {
    liq.phase = Phase.Done;
    this.active.delete(scopeKey(liq.scope));
    if (liq.orderId !== 0) this.byOrderId.delete(liq.orderId);
  }

  private publishFundDelta(liq: Liquidation, tsNs: number, fundId: string, asset: string, deltaUnits: number, balanceAfter: bigint, reason: number): void {
    const e = this.envelope(liq, tsNs);
    e.event = 'insuranceFundDelta';
    e.insuranceFundDelta = { fundId, asset, deltaUnits, balanceAfterUnits: balanceAfter.toString(), reason };
    this.deps.publish(e);
  }

  private envelope(liq: Liquidation, tsNs: number): LiquidationEventV1 {
    const accountId = liq.scope.accountId;
    const seq = (this.seqByAccount.get(accountId) ?? 0) + 1;
    this.seqByAccount.set(accountId, seq);
    return {
      schemaMajor: SCHEMA_MAJOR_V1,
      seq,
      tsNs,
      source: this.source,
      accountId,
      liquidationId: liq.liquidationId,
      scope: { mode: liq.scope.isolatedMarket === '' ? 1 : 2, market: liq.scope.isolatedMarket },
      market: liq.orderMarket || liq.triggerMarket,
    } as LiquidationEventV1;
  }

  private ignore(reason: string, detail: Record<string, unknown>): void {
    this.counters.ignored++;
    this.deps.onIgnored?.(reason, detail);
  }
}

function scopeKey(scope: ScopeRef): string {
  return `${scope.accountId}|${scope.isolatedMarket}`;
}

/** §8.3: the largest MMpos first, ties by market symbol. */
function pickPosition(positions: readonly ScopePosition[]): ScopePosition {
  let best = positions[0] as ScopePosition;
  for (let i = 1; i < positions.length; i++) {
    const p = positions[i] as ScopePosition;
    if (compareLiquidationPriority({ symbol: p.market, maintenanceUnits: p.maintenanceUnits }, { symbol: best.market, maintenanceUnits: best.maintenanceUnits }) < 0) best = p;
  }
  return best;
}

/** The figures a backstop takeover and a fund takeover event both carry: the position and how its bankruptcy close settled. */
function takeoverFigures(position: ScopePosition, close: BankruptcyClose) {
  return {
    market: position.market,
    positionLots: position.qtyLots,
    bankruptcyPriceTicks: close.bankruptcyPriceTicks,
    bankruptcyAmountUnits: close.bankruptcyAmountUnits,
    tickDifferenceUnits: close.tickDifferenceUnits,
    fillPriceTicks: close.fillPriceTicks,
    shortfallUnits: close.shortfallUnits,
  };
}
