/**
 * The risk stage's state machine: commands and events in, `RiskEventV1` events and
 * `MatchingCommandV1` commands out through `RiskEnginePorts`, synchronously. No bus,
 * clock or I/O: time is each input's `tsNs`, so the same input log gives the same
 * outputs and the same `stateHash()`.
 *
 * Inputs (envelopes; each deduplicated on its stream's sequence number, so a
 * redelivery is dropped, never applied twice; the sequence is recorded only once
 * the input has applied — accepted or rejected —, never for one that halted the
 * stage):
 * - `handleAccountCommand` — AccountCommandV1, stream (source, account);
 * - `handleOrderCommand` — a gateway MatchingCommandV1, deduplicated per (source,
 *   account, market) (the topic is partitioned by account):
 *   place and amend pass the pre-trade check and are forwarded, or rejected with
 *   `OrderRejectedV1`; cancels are forwarded;
 * - `handleMatchingEvent` — the per-market matching stream (both legs of a fill),
 *   or `handleMatchingAccountEvent` — one account's share (stream (account, market,
 *   liquidity)); wire one of the two, not both;
 * - `handleOracleEvent` — IndexPriceV1, stream (source, symbol), through the
 *   index gate (index-price-gate.ts): a stale, invalid or unlisted index is
 *   answered with `IndexPriceRejectedV1`, changes nothing and leaves its seq
 *   unconsumed (only applied inputs advance a stream's dedup sequence);
 * - `advanceTime(tsNs)` — schedules without a new index.
 *
 * All or nothing: an input either applies fully, or is rejected (an event, nothing
 * changed), or — an internal error, anything escaping as an exception — halts the
 * stage (stage-halt.ts): `StageHaltedV1`, then every later input refused or
 * dropped, `audit()` not ok. No exception escapes an envelope handler, so a bus
 * never re-delivers a failing message in a loop.
 *
 * The in-process API (`checkOrder`, `onFill`, `onOrderAccepted`, `onOrderCanceled`,
 * …) takes primitives, for benchmarks and embedded callers that skip envelopes; it
 * is not guarded (an error reaches the caller, who owns the halt).
 * The parts: pre-trade-check, fill-settlement, order-lifecycle, account-commands,
 * market-prices, index-price-gate, margin-watch, risk-ledger (liquidation port),
 * account-query.
 */
import { FillType, Liquidity } from '@perpcore/domain';
import { type AccountCommandV1, type MatchingAccountEventV1, type MatchingCommandV1, type MatchingEventV1, type OracleEventV1, perpcore, sideFromWire } from '@perpcore/proto';
import { AccountCommands } from './accounts/account-commands.js';
import { PoolCommands, isPoolCommand } from './defi-liquidation/pool-commands.js';
import type { LiquidationCandidate } from './defi-liquidation/pool-health-watch.js';
import { type AccountReport, accountReport } from './accounts/account-query.js';
import { type ConservationReport, auditConservation } from './audit/conservation-audit.js';
import { RiskLedger } from './liquidation-port/risk-ledger.js';
import { riskStateHash } from './audit/state-hash.js';
import { FillSettlement } from './accounts/fill-settlement.js';
import { IndexPriceGate } from './prices/index-price-gate.js';
import { IsolatedMargin } from './margin-watch/isolated-margin.js';
import { MarginWatch } from './margin-watch/margin-watch.js';
import { MarketPrices } from './prices/market-prices.js';
import { type OrderIntent, createOrderIntent } from './orders/order-intent.js';
import { OrderLifecycle } from './orders/order-lifecycle.js';
import { PreTradeCheck } from './orders/pre-trade-check.js';
import { type BookTopProvider, type RiskEngineConfig, createRiskSetup } from './risk-config.js';
import type { RiskEnginePorts } from './audit/risk-events.js';
import type { RiskMarket } from './risk-market.js';
import { RiskReject } from './risk-reject-codes.js';
import { RiskState } from './risk-state.js';
import { type HaltInput, HaltInputKind, StageHalt, type StageHaltRecord } from './stage-halt.js';
import { captureState, restoreState } from '@perpcore/snapshot';
import { type StressReport, stressQuery } from './stress/stress-query.js';
import { LoanCommands } from './loans/loan-commands.js';
import { LoanWatch } from './loans/loan-watch.js';

/**
 * The account a gateway command acts for. Read through the command's tag: an
 * optional chain over the four bodies probes absent properties on envelopes of
 * several shapes, which V8 resolves slowly (it was a tenth of the envelope path).
 */
function commandAccountId(cmd: MatchingCommandV1): number {
  switch (cmd.command) {
    case 'place':
      if (cmd.place != null) return cmd.place.accountId;
      break;
    case 'amend':
      if (cmd.amend != null) return cmd.amend.accountId;
      break;
    case 'cancel':
      if (cmd.cancel != null) return cmd.cancel.accountId;
      break;
    case 'cancelAll':
      if (cmd.cancelAll != null) return cmd.cancelAll.accountId;
      break;
    default:
  }
  // an envelope whose tag does not name its body (bad input): the first body present
  return cmd.place?.accountId ?? cmd.amend?.accountId ?? cmd.cancel?.accountId ?? cmd.cancelAll?.accountId ?? 0;
}

export interface RiskEngineDeps {
  readonly config: RiskEngineConfig;
  readonly ports: RiskEnginePorts;
  /** The book the mark price and the premium index read per market: matching's latest book sample, in both modes. */
  readonly bookTop?: BookTopProvider;
  /** The depth a stress projection closes against (default `bookTop`; embedded mode passes matching's live books). */
  readonly stressBookTop?: BookTopProvider;
  /** Told once when the stage halts (after `StageHaltedV1` is published): log it, stop consuming. */
  readonly onHalt?: (halt: StageHaltRecord) => void;
}

export class RiskEngine {
  readonly state: RiskState;
  readonly preTrade: PreTradeCheck;
  readonly settlement: FillSettlement;
  readonly watch: MarginWatch;
  readonly prices: MarketPrices;
  readonly lifecycle: OrderLifecycle;
  readonly isolated: IsolatedMargin;
  readonly commands: AccountCommands;
  /** Crypto-backed loans on index ticks (loans/loan-watch.ts). */
  readonly loanWatch: LoanWatch;
  /** The lending pool's commands and liquidations (defi-liquidation/). */
  readonly pool: PoolCommands;
  /** The liquidation engine's port (risk-ledger.ts). */
  readonly ledger: RiskLedger;
  /** Validates every index before it is applied; counts the refused ones per reason. */
  readonly indexGate: IndexPriceGate;
  duplicatesDropped = 0;
  /** Set by the first internal error (stage-halt.ts). */
  readonly halt = new StageHalt();
  private readonly onHalt: ((halt: StageHaltRecord) => void) | undefined;
  /** Always a function (no book: none): a dependency, not state, and the snapshot graph leaves functions out. */
  private readonly stressBookTop: BookTopProvider;
  private readonly intent: OrderIntent = createOrderIntent();
  private readonly accountCommandSeq = new Map<string, Map<number, number>>();
  private readonly oracleSeq = new Map<string, number>();
  /** Per source: (account × 32 + market) → last applied order-command seq. */
  private readonly orderCommandSeq = new Map<string, Map<number, number>>();
  private lastSymbol = '';
  private lastSymbolIndex = -1;

  constructor(deps: RiskEngineDeps) {
    this.state = new RiskState(createRiskSetup(deps.config), deps.ports, deps.bookTop);
    this.watch = new MarginWatch(this.state);
    this.isolated = new IsolatedMargin(this.state);
    this.preTrade = new PreTradeCheck(this.state, this.isolated);
    this.settlement = new FillSettlement(this.state);
    this.loanWatch = new LoanWatch(this.state, this.watch);
    this.prices = new MarketPrices(this.state, this.watch, this.loanWatch);
    this.indexGate = new IndexPriceGate(this.state);
    this.lifecycle = new OrderLifecycle(this.state, this.settlement, this.isolated, this.watch);
    this.commands = new AccountCommands(this.state, this.isolated, this.watch, new LoanCommands(this.state, this.watch, this.loanWatch));
    this.pool = new PoolCommands(this.state, this.commands, this.watch);
    this.ledger = new RiskLedger(this.state, this.settlement, this.lifecycle, this.watch);
    this.onHalt = deps.onHalt;
    this.stressBookTop = deps.stressBookTop ?? deps.bookTop ?? (() => undefined);
  }

  // ---- queries -------------------------------------------------------------------

  /** The three questions for one account (account-query.ts), or null if unknown. */
  accountReport(accountId: number): AccountReport | null {
    return accountReport(this.state, accountId);
  }

  /** What-if stress on a copy-on-write view (stress/stress-query.ts); read-only; throws `StressRequestError` on bad input. */
  stress(request: unknown): StressReport {
    return stressQuery(this.state, this.stressBookTop, request);
  }

  /** Lending-pool positions with HF < 1 now, with the version a liquidationCall must name (the liquidators' query). */
  liquidationCandidates(): LiquidationCandidate[] {
    return this.pool.health.candidates();
  }

  /** RISK-SPEC §9 invariants, computed now; never ok while the stage is halted. */
  audit(): ConservationReport {
    const report = auditConservation(this.state);
    if (!this.halt.active) return report;
    return { ...report, ok: false, problems: [this.halt.describe(), ...report.problems] };
  }

  get halted(): boolean {
    return this.halt.active;
  }

  /**
   * Halts the stage on an internal error (stage-halt.ts): records it, publishes
   * `StageHaltedV1` once and tells `onHalt`. For the adapters that call into the
   * stage outside the envelope handlers (the liquidation ports).
   */
  haltOnInternalError(error: unknown, input: HaltInput): void {
    if (!this.halt.enter(error, input)) return;
    const r = this.halt.record as StageHaltRecord;
    const body = {
      event: 'stageHalted',
      stageHalted: {
        reason: r.reason,
        errorName: r.errorName,
        inputKind: input.kind,
        inputSource: input.source,
        inputSeq: input.seq,
        inputMarket: input.market,
        inputAccountId: input.accountId,
      } as perpcore.risk.v1.StageHaltedV1,
    } as const;
    const m = input.market === '' ? -1 : this.marketIndex(input.market);
    try {
      if (m >= 0) this.state.events.market(this.state.markets[m], input.tsNs, body);
      else this.state.events.stage(input.tsNs, body);
    } catch {
      // the output port failed too: the halt stands, onHalt still reports it
    }
    this.onHalt?.(r);
  }

  /** Digest of the business state (state-hash.ts): same input log, same hash; a reject leaves it unchanged. */
  stateHash(): string {
    return riskStateHash(this.state);
  }

  /**
   * The stage's complete state (accounts, balances, positions, funding, holds, marks,
   * index gate, dedup sequences, system accounts, totals, halt) as bytes
   * (@perpcore/snapshot). `importState` on a fresh engine of the same configuration
   * gives the same `stateHash()` and the same outputs for the same inputs.
   */
  exportState(): Uint8Array {
    return captureState(this);
  }

  /** Loads `exportState()`'s bytes into this engine, which must be fresh; throws, changing nothing, if they do not fit. */
  importState(bytes: Uint8Array): void {
    restoreState(this, bytes);
  }

  /** Index of a market symbol, or −1. */
  marketIndex(symbol: string): number {
    // most inputs repeat the previous symbol: a string compare instead of a hash lookup
    if (symbol === this.lastSymbol) return this.lastSymbolIndex;
    const m = this.state.setup.marketIndex.get(symbol) ?? -1;
    if (m >= 0) {
      this.lastSymbol = symbol;
      this.lastSymbolIndex = m;
    }
    return m;
  }

  // ---- envelopes ---------------------------------------------------------------

  handleAccountCommand(cmd: AccountCommandV1): void {
    if (this.halt.active) return this.refuseHaltedAccountCommand(cmd);
    let bySource: Map<number, number> | undefined;
    if (cmd.seq > 0) {
      bySource = this.accountCommandSeq.get(cmd.source);
      if (bySource === undefined) this.accountCommandSeq.set(cmd.source, (bySource = new Map()));
      if (cmd.seq <= (bySource.get(cmd.accountId) ?? 0)) {
        this.duplicatesDropped++;
        return;
      }
    }
    try {
      if (isPoolCommand(cmd)) this.pool.apply(cmd);
      else this.commands.apply(cmd);
    } catch (error) {
      this.haltOnInternalError(error, { kind: HaltInputKind.AccountCommand, source: cmd.source, seq: cmd.seq, market: '', accountId: cmd.accountId, tsNs: cmd.tsNs });
      // every command is answered: this one too, as refused by the halt it caused
      return this.answerAfterHalt(() => this.refuseHaltedAccountCommand(cmd));
    }
    if (bySource !== undefined) bySource.set(cmd.accountId, cmd.seq);
  }

  handleOrderCommand(cmd: MatchingCommandV1): void {
    if (this.halt.active) {
      this.halt.commandsRefused++;
      const hm = this.marketIndex(cmd.market);
      return this.rejectOrder(hm, cmd, RiskReject.StageHalted, `the risk stage is halted: ${this.halt.describe()}`);
    }
    try {
      this.applyOrderCommand(cmd);
    } catch (error) {
      this.haltOnInternalError(error, { kind: HaltInputKind.OrderCommand, source: cmd.source, seq: cmd.seq, market: cmd.market, accountId: commandAccountId(cmd), tsNs: cmd.tsNs });
      this.answerAfterHalt(() => this.rejectOrder(this.marketIndex(cmd.market), cmd, RiskReject.StageHalted, `the risk stage is halted: ${this.halt.describe()}`));
    }
  }

  private applyOrderCommand(cmd: MatchingCommandV1): void {
    const m = this.marketIndex(cmd.market);
    if (m < 0) {
      this.rejectOrder(-1, cmd, RiskReject.UnknownMarket, `market ${JSON.stringify(cmd.market)} is not listed`);
      return;
    }
    const market = this.state.markets[m];
    if (cmd.seq > 0 && this.isDuplicateOrderCommand(cmd, m)) {
      this.duplicatesDropped++;
      return;
    }
    this.applyCheckedOrderCommand(cmd, m, market);
    // recorded once applied (forwarded or rejected): a command that halted the stage stays unrecorded
    if (cmd.seq > 0) this.recordOrderCommand(cmd, m);
  }

  private applyCheckedOrderCommand(cmd: MatchingCommandV1, m: number, market: RiskMarket): void {
    switch (cmd.command) {
      case 'place': {
        const p = cmd.place as perpcore.matching.v1.PlaceOrderV1;
        const o = this.intent;
        o.market = m;
        o.orderId = p.orderId;
        o.accountId = p.accountId;
        o.side = sideFromWire(p.side) ?? 0;
        o.type = p.type;
        o.timeInForce = p.timeInForce;
        o.priceTicks = p.priceTicks;
        o.qtyLots = p.qtyLots;
        o.triggerPriceTicks = p.triggerPriceTicks;
        o.reduceOnly = p.reduceOnly;
        const code = this.preTrade.checkPlace(o, cmd.tsNs);
        if (code !== '') return this.rejectOrder(m, cmd, code, this.preTrade.rejectMessage);
        this.state.events.place(market, cmd.tsNs, { ...p } as perpcore.matching.v1.PlaceOrderV1);
        return;
      }
      case 'amend': {
        const a = cmd.amend as perpcore.matching.v1.AmendOrderV1;
        const code = this.preTrade.checkAmend(m, a.orderId, a.accountId, a.priceTicks, a.qtyLots, cmd.tsNs);
        if (code !== '') return this.rejectOrder(m, cmd, code, this.preTrade.rejectMessage);
        this.state.events.amend(market, cmd.tsNs, { ...a } as perpcore.matching.v1.AmendOrderV1);
        return;
      }
      case 'cancel': {
        const c = cmd.cancel as perpcore.matching.v1.CancelOrderV1;
        if (this.state.accounts.slotOf(c.accountId) < 0) return this.rejectOrder(m, cmd, RiskReject.UnknownAccount, `account ${c.accountId} does not exist`);
        this.state.events.cancel(market, cmd.tsNs, c.accountId, c.orderId);
        return;
      }
      case 'cancelAll': {
        const c = cmd.cancelAll as perpcore.matching.v1.CancelAllOrdersV1;
        if (this.state.accounts.slotOf(c.accountId) < 0) return this.rejectOrder(m, cmd, RiskReject.UnknownAccount, `account ${c.accountId} does not exist`);
        this.state.events.cancelAll(market, cmd.tsNs, { ...c } as perpcore.matching.v1.CancelAllOrdersV1);
        return;
      }
      default:
        this.rejectOrder(m, cmd, RiskReject.InvalidCommand, 'order command envelope carries no command');
    }
  }

  handleMatchingEvent(e: MatchingEventV1): void {
    if (this.halt.active) {
      this.halt.eventsDropped++;
      return;
    }
    const m = this.marketIndex(e.market);
    if (m < 0) return;
    const market = this.state.markets[m];
    if (e.seq > 0 && e.seq <= market.lastMatchingSeq) {
      this.duplicatesDropped++;
      return;
    }
    try {
      this.applyMatchingEvent(m, e, Liquidity.Maker | Liquidity.Taker);
    } catch (error) {
      return this.haltOnMatchingEvent(error, HaltInputKind.MatchingEvent, e, 0);
    }
    if (e.seq > 0) market.lastMatchingSeq = e.seq;
  }

  handleMatchingAccountEvent(routed: MatchingAccountEventV1): void {
    if (this.halt.active) {
      this.halt.eventsDropped++;
      return;
    }
    const e = routed.event;
    const m = this.marketIndex(e.market);
    if (m < 0) return;
    const s = this.state;
    const stream = e.event === 'filled' ? routed.liquidity : 0;
    const streamIndex = stream === Liquidity.Maker ? 1 : stream === Liquidity.Taker ? 2 : 0;
    const slot = s.accounts.slotOf(routed.accountId);
    const r = slot < 0 ? -1 : s.ledger.rowOf(s.accounts.firstRow[slot], m);
    if (r >= 0 && e.seq > 0 && e.seq <= s.ledger.lastAccountEventSeq[r * 3 + streamIndex]) {
      this.duplicatesDropped++;
      return;
    }
    try {
      this.applyMatchingEvent(m, e, e.event === 'filled' ? routed.liquidity : Liquidity.Maker | Liquidity.Taker);
    } catch (error) {
      return this.haltOnMatchingEvent(error, HaltInputKind.MatchingAccountEvent, e, routed.accountId);
    }
    if (e.seq <= 0) return;
    // a fill may have opened the row (and the account)
    const applied = r >= 0 ? r : e.event === 'filled' ? this.rowOfAccount(routed.accountId, m) : -1;
    if (applied >= 0) s.ledger.lastAccountEventSeq[applied * 3 + streamIndex] = e.seq;
  }

  handleOracleEvent(e: OracleEventV1): void {
    if (this.halt.active) {
      this.halt.eventsDropped++;
      return;
    }
    const key = `${e.source}\u0000${e.symbol}`;
    if (e.seq > 0 && e.seq <= (this.oracleSeq.get(key) ?? 0)) {
      this.duplicatesDropped++;
      return;
    }
    try {
      // stale, invalid or unlisted: answered and counted by the gate, and the seq stays unconsumed
      if (!this.indexGate.admit(e, this.marketIndex(e.symbol))) return;
      this.prices.onIndex(e.symbol, (e.indexPrice as perpcore.oracle.v1.IndexPriceV1).priceSubticks, e.tsNs);
      this.pool.accrue(e.tsNs);
      this.pool.health.onIndex(this.marketIndex(e.symbol), e.tsNs);
    } catch (error) {
      return this.haltOnInternalError(error, { kind: HaltInputKind.OracleEvent, source: e.source, seq: e.seq, market: e.symbol, accountId: 0, tsNs: e.tsNs });
    }
    if (e.seq > 0) this.oracleSeq.set(key, e.seq);
  }

  advanceTime(tsNs: number): void {
    if (this.halt.active) return;
    try {
      this.prices.advance(tsNs);
    } catch (error) {
      this.haltOnInternalError(error, { kind: HaltInputKind.Time, source: '', seq: 0, market: '', accountId: 0, tsNs });
    }
  }

  // ---- in-process API ----------------------------------------------------------

  /** Pre-trade check only: '' accepted (the order holds margin), else a RISK_* code. The caller forwards it. */
  checkOrder(intent: OrderIntent, tsNs: number): string {
    return this.preTrade.checkPlace(intent, tsNs);
  }

  onOrderAccepted(m: number, orderId: number): void {
    this.lifecycle.accepted(m, orderId);
  }

  /** Matching refused a command of `accountId` about `orderId` (its place or amend is undone). */
  onOrderRejected(m: number, orderId: number, accountId: number, tsNs: number): void {
    this.lifecycle.rejected(m, orderId, accountId, tsNs);
  }

  onOrderCanceled(m: number, orderId: number, tsNs: number): void {
    this.lifecycle.canceled(m, orderId, tsNs);
  }

  onOrderAmended(m: number, orderId: number, priceTicks: number, qtyLots: number, tsNs: number): void {
    this.lifecycle.amended(m, orderId, priceTicks, qtyLots, tsNs);
  }

  /**
   * Settles both legs of a fill (`legs`: Liquidity.Maker | Liquidity.Taker bits
   * select which). Both legs are planned before either is written
   * (fill-settlement.ts): a fill that cannot apply exactly throws with nothing changed.
   */
  onFill(m: number, tradeSeq: number, makerAccountId: number, makerOrderId: number, takerAccountId: number, takerOrderId: number, takerSide: number, priceTicks: number, lots: number, makerRemainingLots: number, takerRemainingLots: number, fillType: number, tsNs: number, legs = Liquidity.Maker | Liquidity.Taker): void {
    const st = this.settlement;
    st.planPair(m, makerAccountId, takerAccountId, -takerSide, priceTicks, lots, Liquidity.Maker, Liquidity.Taker, fillType, legs);
    this.state.markets[m].lastTradeTicks = priceTicks;
    if (legs & Liquidity.Maker) this.lifecycle.fillLeg(m, makerAccountId, makerOrderId, -takerSide, priceTicks, lots, makerRemainingLots, Liquidity.Maker, fillType, tradeSeq, tsNs, st.first);
    // a self-trade's second leg is planned again on what the first left
    const takerPlan = legs & Liquidity.Maker && makerAccountId === takerAccountId ? null : st.second;
    if (legs & Liquidity.Taker) this.lifecycle.fillLeg(m, takerAccountId, takerOrderId, takerSide, priceTicks, lots, takerRemainingLots, Liquidity.Taker, fillType, tradeSeq, tsNs, takerPlan);
  }

  // ---- internals -----------------------------------------------------------------

  /**
   * Dedup of gateway order commands per (source, account, market). The topic is
   * keyed by account, so one source's commands reach this shard through several
   * partitions: only each account's subsequence keeps its order. A producer that
   * numbers per (source, market) still numbers every account's subsequence
   * increasingly, so this key drops redeliveries and never a reordered command.
   */
  private isDuplicateOrderCommand(cmd: MatchingCommandV1, m: number): boolean {
    const bySource = this.orderCommandSeq.get(cmd.source);
    return bySource !== undefined && cmd.seq <= (bySource.get(commandAccountId(cmd) * 32 + m) ?? 0);
  }

  private recordOrderCommand(cmd: MatchingCommandV1, m: number): void {
    let bySource = this.orderCommandSeq.get(cmd.source);
    if (bySource === undefined) this.orderCommandSeq.set(cmd.source, (bySource = new Map()));
    bySource.set(commandAccountId(cmd) * 32 + m, cmd.seq);
  }

  private rowOfAccount(accountId: number, m: number): number {
    const slot = this.state.accounts.slotOf(accountId);
    return slot < 0 ? -1 : this.state.ledger.rowOf(this.state.accounts.firstRow[slot], m);
  }

  /** Matching events carry no source: (kind, market, seq) name the input. */
  private haltOnMatchingEvent(error: unknown, kind: HaltInputKind, e: MatchingEventV1, accountId: number): void {
    const f = e.event === 'filled' ? e.filled : null;
    this.haltOnInternalError(error, { kind, source: '', seq: e.seq, market: e.market, accountId: accountId !== 0 ? accountId : (f?.takerAccountId ?? 0), tsNs: e.tsNs });
  }

  /** Answers the command that halted the stage; a port that fails again is not allowed to throw into the bus. */
  private answerAfterHalt(answer: () => void): void {
    try {
      answer();
    } catch {
      // the halt is recorded and published (or reported through onHalt): nothing more to do
    }
  }

  private refuseHaltedAccountCommand(cmd: AccountCommandV1): void {
    this.halt.commandsRefused++;
    const s = this.state;
    s.events.account(cmd.accountId, s.accounts.slotOf(cmd.accountId), '', cmd.tsNs, {
      event: 'commandRejected',
      commandRejected: { commandId: cmd.commandId, code: RiskReject.StageHalted, message: `the risk stage is halted: ${this.halt.describe()}` } as perpcore.risk.v1.AccountCommandRejectedV1,
    });
  }

  private applyMatchingEvent(m: number, e: MatchingEventV1, legs: number): void {
    switch (e.event) {
      case 'accepted':
        this.onOrderAccepted(m, (e.accepted as perpcore.matching.v1.OrderAcceptedV1).orderId);
        return;
      case 'rejected': {
        const rj = e.rejected as perpcore.matching.v1.OrderRejectedV1;
        this.onOrderRejected(m, rj.orderId, rj.accountId, e.tsNs);
        return;
      }
      case 'canceled':
        this.onOrderCanceled(m, (e.canceled as perpcore.matching.v1.OrderCanceledV1).orderId, e.tsNs);
        return;
      case 'amended': {
        const a = e.amended as perpcore.matching.v1.OrderAmendedV1;
        this.onOrderAmended(m, a.orderId, a.priceTicks, a.qtyLots, e.tsNs);
        return;
      }
      case 'filled': {
        const f = e.filled as perpcore.matching.v1.OrderFilledV1;
        const takerSide = sideFromWire(f.takerSide);
        if (takerSide === undefined) return;
        const fillType = f.fillType === FillType.Liquidation || f.fillType === FillType.Deleveraged ? f.fillType : FillType.Limit;
        this.onFill(m, f.tradeSeq, f.makerAccountId, f.makerOrderId, f.takerAccountId, f.takerOrderId, takerSide, f.priceTicks, f.qtyLots, f.makerRemainingLots, f.takerRemainingLots, fillType, e.tsNs, legs);
        return;
      }
      default:
        return;
    }
  }

  private rejectOrder(m: number, cmd: MatchingCommandV1, code: string, message: string): void {
    const s = this.state;
    const accountId = commandAccountId(cmd);
    const orderId = cmd.place?.orderId ?? cmd.amend?.orderId ?? cmd.cancel?.orderId ?? 0;
    s.events.account(accountId, s.accounts.slotOf(accountId), m >= 0 ? s.markets[m].symbol : cmd.market, cmd.tsNs, {
      event: 'orderRejected',
      orderRejected: { orderId, code, message, inputSource: cmd.source, inputSeq: cmd.seq } as perpcore.risk.v1.OrderRejectedV1,
    });
  }
}
