/**
 * `ExchangeClient` over the embedded pipeline (one process, in-process bus).
 *
 * Embedded mode is synchronous end to end: `bus.publish` returns after risk,
 * matching, risk's settlement and the liquidation ladder have handled the command
 * and everything it caused. So a command's outcome is exactly what this client's
 * own subscriptions saw while the publish ran; nothing else can interleave (one
 * thread, and the simulation steps only between requests).
 *
 * Invariants
 * - The capture buffers grow only while a command is being published and are
 *   handed to the caller, then replaced: no growth between requests.
 * - Commands go out as the source `deps.source` with one contiguous sequence per
 *   (source, market) for orders and per (source, account) for account commands,
 *   the streams the stages dedup on.
 * - Subscribers see every event once, in bus order, through this client's one
 *   subscription per topic (registered at creation, so they sit after the stages).
 */
import type { SpotMaxBorrow } from '@perpcore/margin';
import { type AssetSpec, type MarketSpec, Side } from '@perpcore/domain';
import { type Bus, Topics } from '@perpcore/bus';
import type { SpotAccountReport, SpotMarginEngine, SpotOpenOrder, SpotOrderInput, SpotPairSpec, SpotPlaceResult, SpotResult } from '@perpcore/risk';
import type { SpotInput } from '../durability/spot-input.js';
import type { VenueMarket } from '@perpcore/markets';
import type { OrderBook } from '@perpcore/orderbook';
import {
  type LiquidationEventV1,
  type MatchingCommandV1,
  type MatchingEventV1,
  type OracleEventV1,
  type RiskEventV1,
} from '@perpcore/proto';
import type { AccountReport, LiquidationCandidate, StressReport, StressRequest } from '@perpcore/risk';
import { liquidationCandidateViews, type PoolLiquidationCandidate } from './liquidation-candidates.js';
import { type StressAnswer, stressAnswer } from './stress-answer.js';
import type {
  AccountCommandResult,
  AccountView,
  BookSnapshot,
  CancelAllResult,
  ExchangeClient,
  InsuranceFundBalance,
  MarketCommandResult,
  OrderCommandResult,
  PlaceOrderRequest,
  SpotCommandAnswer,
  SpotDepth,
} from './exchange-client.js';
import { accountAnswer, marketAnswer, orderRejection } from './command-answers.js';
import { ExchangeClientBase, NO_SPOT } from './exchange-client-base.js';
import { type AccountCommandBodies, CommandStamp } from './command-stamp.js';

export interface EmbeddedClientDeps {
  readonly bus: Bus;
  readonly venue: readonly VenueMarket[];
  book(market: string): OrderBook | undefined;
  accountReport(accountId: number): AccountReport | null;
  /** The perps ledger's assets, settle first (the risk engine's setup). */
  ledgerAssets(): readonly AssetSpec[];
  /** The risk engine's stress query (`RiskEngine.stress`); throws `StressRequestError` on bad input. */
  stress(request: StressRequest): StressReport;
  /** The lending pool's positions below health factor 1 (`RiskEngine.liquidationCandidates`). */
  liquidationCandidates(): readonly LiquidationCandidate[];
  adlBucket(market: string, accountId: number): number | undefined;
  halted(): string;
  nowNs(): number;
  insuranceFunds(): readonly InsuranceFundBalance[];
  /** The command streams' producer name (default `gateway-0`). */
  readonly source?: string;
  /** The spot-margin stage, when the venue has one: its inputs (through the journaled gate) and its account report. */
  readonly spot?: {
    /** The spot ledger's assets with their decimals. */
    readonly assets: readonly AssetSpec[];
    submit(input: SpotInput): SpotResult;
    accountReport(accountId: number): SpotAccountReport | null;
    /** The stage itself, for reads (open orders, pairs, index prices); every input goes through `submit`. */
    readonly engine: SpotMarginEngine;
    /** The spot stage's event sequence so far (`spotSeq` of its last published event). */
    eventSeq(): number;
  };
}


export class EmbeddedExchangeClient extends ExchangeClientBase implements ExchangeClient {
  private readonly source: string;
  /** The source without a start's `@seq`: the name every start of this client stamps its streams with. */
  private readonly streamFamily: string;
  private readonly specs: Map<string, MarketSpec>;
  private readonly stamp: CommandStamp;
  private commandId = 0;
  private capturing = false;
  private matchingCaptured: MatchingEventV1[] = [];
  private riskCaptured: RiskEventV1[] = [];

  private constructor(private readonly deps: EmbeddedClientDeps) {
    super();
    this.source = deps.source ?? 'gateway-0';
    this.streamFamily = this.source.split('@')[0] as string;
    this.specs = new Map(deps.venue.map((m) => [m.spec.symbol, m.spec]));
    this.stamp = new CommandStamp(this.source, () => deps.nowNs());
  }

  /** Subscribes to the five topics the client reports from and to the order commands (its own streams'); call before the first command. */
  static async create(deps: EmbeddedClientDeps): Promise<EmbeddedExchangeClient> {
    const client = new EmbeddedExchangeClient(deps);
    const groupId = `exchange-client-${client.source}`;
    const { bus } = deps;
    client.subscriptions.push(
      await bus.subscribe(Topics.matchingEvents, { groupId }, (m) => client.onMatching(m.value)),
      await bus.subscribe(Topics.riskAccountEvents, { groupId }, (m) => client.onRisk(m.value)),
      await bus.subscribe(Topics.riskMarketEvents, { groupId }, (m) => client.onRisk(m.value)),
      await bus.subscribe(Topics.oracleIndexPrices, { groupId }, (m) => client.onOracle(m.value)),
      await bus.subscribe(Topics.liquidationEvents, { groupId }, (m) => client.onLiquidation(m.value)),
      // after the stages' subscriptions: a command reaches the handlers once the core has applied it
      await bus.subscribe(Topics.gatewayOrderCommands, { groupId }, (m) => client.onOrderCommand(m.value)),
    );
    return client;
  }

  markets(): readonly VenueMarket[] {
    return this.deps.venue;
  }

  ledgerAssets(): readonly AssetSpec[] {
    return this.deps.ledgerAssets();
  }

  halted(): string {
    return this.deps.halted();
  }

  nowNs(): number {
    return this.deps.nowNs();
  }

  /** Credits `amountUnits` of `asset` to the account's spot-margin ledger (its collateral there). */
  override spotDeposit(accountId: number, asset: string, amountUnits: number): Promise<SpotResult> {
    return Promise.resolve(this.deps.spot?.submit({ op: 'deposit', tsNs: this.deps.nowNs(), accountId, asset, amountUnits }) ?? NO_SPOT);
  }

  /** Debits `amountUnits` of `asset` from the account's spot-margin ledger to custody: refused past the available balance or while it would leave a borrower below the opening level. */
  override spotWithdraw(accountId: number, asset: string, amountUnits: number): Promise<SpotResult> {
    return Promise.resolve(this.deps.spot?.submit({ op: 'withdraw', tsNs: this.deps.nowNs(), accountId, asset, amountUnits }) ?? NO_SPOT);
  }

  /** The assets the spot-margin ledger holds, with their decimals (none without a spot stage). */
  override spotAssets(): readonly AssetSpec[] {
    return this.deps.spot?.assets ?? [];
  }

  /** Borrows from the spot lending pool: refused past the limits or the opening level, with the stage's code; ok with the stage's event sequence after it. */
  override spotBorrow(accountId: number, asset: string, amountUnits: number): Promise<SpotCommandAnswer> {
    return Promise.resolve(this.spotCommand({ op: 'borrow', tsNs: this.deps.nowNs(), accountId, asset, amountUnits }));
  }

  /** Repays a spot loan, interest first; more than is owed is refused. */
  override spotRepay(accountId: number, asset: string, amountUnits: number): Promise<SpotCommandAnswer> {
    return Promise.resolve(this.spotCommand({ op: 'repay', tsNs: this.deps.nowNs(), accountId, asset, amountUnits }));
  }

  private spotCommand(input: SpotInput): SpotCommandAnswer {
    const spot = this.deps.spot;
    if (spot === undefined) return NO_SPOT;
    const r = spot.submit(input);
    return r.ok ? { ok: true, tranId: spot.eventSeq() } : r;
  }

  override spotPlaceOrder(order: SpotOrderInput): Promise<SpotPlaceResult> {
    const { accountId, symbol, side, priceTicks, qtyLots, immediateOrCancel, autoBorrow, clientOrderId } = order;
    // keys in the journal's fixed order; the client id only when given, so inputs without one keep their bytes
    const input: SpotInput = { op: 'order', tsNs: this.deps.nowNs(), accountId, symbol, side, priceTicks, qtyLots, immediateOrCancel, autoBorrow, ...(clientOrderId === undefined ? {} : { clientOrderId }) };
    // the spot engine answers an order input with its placement (SpotPlaceResult)
    return Promise.resolve((this.deps.spot?.submit(input) ?? NO_SPOT) as SpotPlaceResult);
  }

  override spotCancelOrder(accountId: number, orderId: number): Promise<SpotResult> {
    return Promise.resolve(this.deps.spot?.submit({ op: 'cancel', tsNs: this.deps.nowNs(), accountId, orderId }) ?? NO_SPOT);
  }

  override spotCancelAll(accountId: number): Promise<SpotResult> {
    return Promise.resolve(this.deps.spot?.submit({ op: 'cancelAll', tsNs: this.deps.nowNs(), accountId }) ?? NO_SPOT);
  }

  override spotMaxBorrowable(accountId: number, asset: string): Promise<SpotMaxBorrow> {
    return Promise.resolve(this.deps.spot?.engine.maxBorrowable(accountId, asset) ?? { amountUnits: 0, limitUnits: 0 });
  }

  override spotOpenOrders(accountId: number): Promise<readonly SpotOpenOrder[]> {
    return Promise.resolve(this.deps.spot?.engine.openOrdersOf(accountId) ?? []);
  }

  override spotDepth(symbol: string, levels: number): Promise<SpotDepth | null> {
    return Promise.resolve(this.deps.spot?.engine.depthOf(symbol, levels) ?? null);
  }

  override spotPairs(): readonly SpotPairSpec[] {
    return this.deps.spot?.engine.context.config.pairs ?? [];
  }

  override spotIndexTicks(symbol: string): Promise<number | null> {
    return Promise.resolve(this.deps.spot?.engine.indexTicksOf(symbol) ?? null);
  }

  /** The spot-margin answers for the account (accepted collateral, trigger feed, level, distances), null without spot rows. */
  override spotAccount(accountId: number): Promise<SpotAccountReport | null> {
    return Promise.resolve(this.deps.spot?.accountReport(accountId) ?? null);
  }

  placeOrder(order: PlaceOrderRequest): Promise<OrderCommandResult> {
    return Promise.resolve(this.orderCommand(this.stamp.place(order), order.orderId));
  }

  cancelOrder(accountId: number, market: string, orderId: number): Promise<OrderCommandResult> {
    return Promise.resolve(this.orderCommand(this.stamp.cancel(accountId, market, orderId), orderId));
  }

  amendOrder(accountId: number, market: string, orderId: number, priceTicks: number, qtyLots: number): Promise<OrderCommandResult> {
    return Promise.resolve(this.orderCommand(this.stamp.amend(accountId, market, orderId, priceTicks, qtyLots), orderId));
  }

  cancelAll(accountId: number, market: string): Promise<CancelAllResult> {
    const cmd = this.stamp.cancelAll(accountId, market);
    const { matching, risk } = this.capture(() => this.deps.bus.publish(Topics.gatewayOrderCommands, cmd));
    return Promise.resolve({ rejection: orderRejection(0, matching, risk), matchingEvents: matching });
  }

  insuranceFunds(): readonly InsuranceFundBalance[] {
    return this.deps.insuranceFunds();
  }

  stress(request: StressRequest): Promise<StressAnswer> {
    return Promise.resolve(stressAnswer(() => this.deps.stress(request)));
  }

  liquidationCandidates(): Promise<readonly PoolLiquidationCandidate[]> {
    return Promise.resolve(liquidationCandidateViews(this.deps.liquidationCandidates()));
  }

  account(accountId: number): Promise<AccountView | null> {
    const report = this.deps.accountReport(accountId);
    if (report === null) return Promise.resolve(null);
    const adlBuckets = new Map<string, number>();
    for (const scope of [report.cross, ...report.isolated]) {
      for (const p of scope.positions) {
        const bucket = this.deps.adlBucket(p.market, accountId);
        if (bucket !== undefined) adlBuckets.set(p.market, bucket);
      }
    }
    return Promise.resolve({ ...report, adlBuckets });
  }

  book(market: string, depth: number): Promise<BookSnapshot | null> {
    const book = this.deps.book(market);
    if (book === undefined) return Promise.resolve(null);
    const levels = (side: Side) => {
      const out: (readonly [number, number])[] = [];
      book.forEachLevel(side, depth, (p, q) => out.push([p, q]));
      return out;
    };
    return Promise.resolve({ market, bids: levels(Side.Buy), asks: levels(Side.Sell), lastTradeTicks: book.lastTradeTicks() });
  }

  /** The market's spec, or undefined when it is not listed (the stages refuse it too). */
  spec(market: string): MarketSpec | undefined {
    return this.specs.get(market);
  }

  private onMatching(event: MatchingEventV1): void {
    if (this.capturing) this.matchingCaptured.push(event);
    for (const h of this.handlers) h.onMatchingEvent?.(event);
  }

  private onRisk(event: RiskEventV1): void {
    if (this.capturing && event.accountId !== 0) this.riskCaptured.push(event);
    for (const h of this.handlers) h.onRiskEvent?.(event);
  }

  /** Its own streams' commands only (`gateway-0`, `gateway-0@…`): the simulated market's never reach the handlers. */
  private onOrderCommand(cmd: MatchingCommandV1): void {
    const source = cmd.source;
    if (source !== this.streamFamily && !(source.startsWith(this.streamFamily) && source.charCodeAt(this.streamFamily.length) === 64)) return; // 64: '@'
    for (const h of this.handlers) h.onOrderCommand?.(cmd);
  }

  private onOracle(event: OracleEventV1): void {
    for (const h of this.handlers) h.onOracleEvent?.(event);
  }

  private onLiquidation(event: LiquidationEventV1): void {
    for (const h of this.handlers) h.onLiquidationEvent?.(event);
  }

  private capture(publish: () => void): { matching: MatchingEventV1[]; risk: RiskEventV1[] } {
    this.capturing = true;
    try {
      publish();
    } finally {
      this.capturing = false;
    }
    const out = { matching: this.matchingCaptured, risk: this.riskCaptured };
    this.matchingCaptured = [];
    this.riskCaptured = [];
    return out;
  }

  protected marketCommand(market: string, fill: (cmd: MatchingCommandV1) => void): Promise<MarketCommandResult> {
    const cmd = this.stamp.marketCommand(market, fill);
    const { matching } = this.capture(() => this.deps.bus.publish(Topics.matchingCommands, cmd));
    const answer = matching.find((e) => e.market === market && (e.event === 'marketHalted' || e.event === 'marketResumed' || e.event === 'rejected'));
    if (answer === undefined) return Promise.reject(new Error(`matching did not answer ${cmd.command} for ${market}`));
    return Promise.resolve(marketAnswer(answer, matching));
  }

  private orderCommand(cmd: MatchingCommandV1, orderId: number): OrderCommandResult {
    const { matching, risk } = this.capture(() => this.deps.bus.publish(Topics.gatewayOrderCommands, cmd));
    return { orderId, rejection: orderRejection(orderId, matching, risk), matchingEvents: matching, riskEvents: risk };
  }

  protected accountCommand<K extends keyof AccountCommandBodies>(accountId: number, kind: K, body: AccountCommandBodies[K]): Promise<AccountCommandResult> {
    const commandId = ++this.commandId;
    const cmd = this.stamp.account(accountId, kind, body, commandId);
    const { risk } = this.capture(() => this.deps.bus.publish(Topics.gatewayAccountCommands, cmd));
    for (const e of risk) {
      const answer = accountAnswer(e, commandId, risk);
      if (answer !== null) return Promise.resolve(answer);
    }
    // every account command is answered by risk; silence means the stage is not running
    return Promise.reject(new Error(`risk did not answer account command ${commandId} (${kind} for account ${accountId})`));
  }
}
