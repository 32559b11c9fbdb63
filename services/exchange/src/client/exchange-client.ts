/**
 * `ExchangeClient`: the typed door to the core that the gateway, tests and
 * benchmarks use instead of hand-built envelopes. Integer units only (prices in
 * ticks, quantities in lots, money in the asset's smallest unit); decimal strings
 * belong to the API edge that sits on top of it.
 *
 * Every call is a Promise so one interface covers the embedded pipeline (which
 * answers synchronously, inside the publish) and a remote one over Kafka (which
 * answers when the stages' events for the command arrive).
 *
 * Outcome contract
 * - An order command resolves with the matching and risk events it caused, in
 *   delivery order, and `rejection` set when the risk stage (pre-trade) or the
 *   book refused it (stage, stage-prefixed code, text). A refusal changed nothing.
 * - An account command resolves with risk's answer: accepted (balance after, the
 *   settings after) or rejected (code, text).
 * - `subscribe` delivers the four envelope kinds exactly as the stages publish
 *   them (matching events, risk account and market events, oracle index prices,
 *   liquidation events), each once, in bus order per stream.
 */
import type { AssetSpec, MarginMode, OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import type { VenueMarket } from '@perpcore/markets';
import type { LiquidationEventV1, MatchingCommandV1, MatchingEventV1, OracleEventV1, perpcore, RiskEventV1 } from '@perpcore/proto';
import type { SpotMaxBorrow } from '@perpcore/margin';
import type { AccountReport, SpotAccountReport, SpotOpenOrder, SpotOrderInput, SpotPairSpec, SpotPlaceResult, SpotResult, StressRequest } from '@perpcore/risk';

/** A spot borrow's or repay's answer: ok with the spot stage's event sequence after it (the transaction id a client quotes), or the stage's code. */
export interface SpotDepth {
  readonly bids: ReadonlyArray<readonly [number, number]>;
  readonly asks: ReadonlyArray<readonly [number, number]>;
}

export type SpotCommandAnswer = { readonly ok: true; readonly tranId: number } | { readonly ok: false; readonly code: string };
import type { StressAnswer } from './stress-answer.js';
import type { PoolLiquidationCandidate } from './liquidation-candidates.js';

export type { PoolLiquidationCandidate } from './liquidation-candidates.js';

/** A backstop liquidator's terms (risk/v1 backstop-liquidator.proto). */
export interface BackstopLiquidatorTerms {
  readonly enabled: boolean;
  /** Markets it takes positions in; omitted or empty = every market. */
  readonly markets?: readonly string[];
  /** Cap on |position| × mark per market after a takeover, settle units; required (> 0) when enabled. */
  readonly maxPositionNotionalUnits?: number;
}

export interface PlaceOrderRequest {
  /** Allocated by the caller (the gateway's allocator): unique for the life of the log. */
  readonly orderId: number;
  readonly accountId: number;
  readonly market: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price; 0 for market and stop-market orders. */
  readonly priceTicks: number;
  readonly qtyLots: number;
  /** Stop / take-profit trigger; 0 otherwise. */
  readonly triggerPriceTicks?: number;
  readonly triggerSource?: TriggerSource;
  readonly selfTradePrevention?: SelfTradePrevention;
  readonly reduceOnly?: boolean;
  /** Opaque, up to 36 characters, echoed on the order (matching refuses a duplicate among open orders). */
  readonly clientOrderId?: string;
}

export interface CommandRejection {
  readonly stage: 'risk' | 'matching';
  /** Stage-prefixed, e.g. RISK_INSUFFICIENT_MARGIN, MATCHING_UNKNOWN_ORDER. */
  readonly code: string;
  readonly message: string;
}

export interface OrderCommandResult {
  readonly orderId: number;
  /** null when the command went through (the events say what happened). */
  readonly rejection: CommandRejection | null;
  readonly matchingEvents: readonly MatchingEventV1[];
  readonly riskEvents: readonly RiskEventV1[];
}

export interface CancelAllResult {
  readonly rejection: CommandRejection | null;
  readonly matchingEvents: readonly MatchingEventV1[];
}

export interface AccountCommandResult {
  readonly rejection: CommandRejection | null;
  /** Risk's `AccountCommandAcceptedV1` fields when accepted. */
  readonly balanceAfterUnits: string;
  readonly leverage: number;
  readonly marginMode: MarginMode | 0;
  readonly riskEvents: readonly RiskEventV1[];
}

/** A loan command's answer with the loan after it (the status its LoanOpened / …CollateralAdded / …Repaid / …Closed event carries); null when refused. */
export interface LoanCommandResult extends AccountCommandResult {
  readonly loan: perpcore.risk.v1.ILoanStatusV1 | null;
}

export interface MarketCommandResult {
  /** Matching's refusal (e.g. MATCHING_MARKET_HALTED for a second halt); null when applied. */
  readonly rejection: CommandRejection | null;
  readonly matchingEvents: readonly MatchingEventV1[];
}

/** One insurance fund as the risk stage holds it, as of the last event applied. */
export interface InsuranceFundBalance {
  readonly fundId: string;
  readonly accountId: number;
  readonly asset: string;
  readonly balanceUnits: number;
  /** The markets whose losses this fund covers. */
  readonly markets: readonly string[];
}

export interface BookSnapshot {
  readonly market: string;
  /** [priceTicks, qtyLots], best first. */
  readonly bids: readonly (readonly [number, number])[];
  readonly asks: readonly (readonly [number, number])[];
  /** 0 before the first trade. */
  readonly lastTradeTicks: number;
}

/** Risk's account report with each position's ADL indicator (1..5, null when none). */
export type { StressAnswer } from './stress-answer.js';

export type AccountView = AccountReport & {
  readonly adlBuckets: ReadonlyMap<string, number>;
};

export interface CoreEventHandlers {
  onMatchingEvent?(event: MatchingEventV1): void;
  onRiskEvent?(event: RiskEventV1): void;
  onOracleEvent?(event: OracleEventV1): void;
  onLiquidationEvent?(event: LiquidationEventV1): void;
  /**
   * Each order command that carries what the events do not (the client order id, the
   * trigger source). Embedded: this client's streams (its source, and the `source@…`
   * of previous starts a journal replays) once the core has applied it (its events
   * came first). Kafka: every gateway's, from `gateway.order-commands.v1` replayed
   * from its earliest record, in no fixed order with the events.
   */
  onOrderCommand?(command: MatchingCommandV1): void;
}

export interface ClientSubscription {
  close(): Promise<void>;
}

export interface ExchangeClient {
  /** The listed markets with their risk side (tiers, fees). */
  markets(): readonly VenueMarket[];
  /**
   * The perps ledger's assets with their decimals: the settle asset first, then the
   * collateral assets the risk stage values (BTC, ETH with loans or the lending pool).
   * What deposits, withdrawals, loans and the pool take.
   */
  ledgerAssets(): readonly AssetSpec[];
  /** '' while every stage runs; otherwise why the risk stage halted (nothing is applied). */
  halted(): string;
  /**
   * False while the client still replays the history published before it started
   * (Kafka: the event topics from their earliest retained records), so read models
   * folded from its events are a prefix; absent: always caught up (embedded).
   */
  caughtUp?(): boolean;
  /** Event time the core runs on, ns since the Unix epoch (embedded: the simulation's clock). */
  nowNs(): number;

  deposit(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult>;
  withdraw(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult>;
  setLeverage(accountId: number, market: string, leverage: number): Promise<AccountCommandResult>;
  setMarginMode(accountId: number, market: string, mode: MarginMode): Promise<AccountCommandResult>;
  /** > 0 adds to the isolated bucket, < 0 removes. */
  adjustIsolatedMargin(accountId: number, market: string, deltaUnits: number): Promise<AccountCommandResult>;

  placeOrder(order: PlaceOrderRequest): Promise<OrderCommandResult>;
  cancelOrder(accountId: number, market: string, orderId: number): Promise<OrderCommandResult>;
  /** `qtyLots` is the new remaining quantity. */
  amendOrder(accountId: number, market: string, orderId: number, priceTicks: number, qtyLots: number): Promise<OrderCommandResult>;
  /** Cancels every resting and untriggered order of the account in one market. */
  cancelAll(accountId: number, market: string): Promise<CancelAllResult>;

  /** Operator: stops matching in a market (resting orders stay; new ones are refused MATCHING_MARKET_HALTED). */
  haltMarket(market: string, reason: string): Promise<MarketCommandResult>;
  resumeMarket(market: string): Promise<MarketCommandResult>;
  /** Operator: per-account kill switch, enforced by the risk stage (it holds across gateways). */
  setKillSwitch(accountId: number, engaged: boolean): Promise<AccountCommandResult>;
  /** Operator: a backstop liquidator's terms (risk/v1 backstop-liquidator.proto); `enabled: false` removes it. */
  setBackstopLiquidator(accountId: number, terms: BackstopLiquidatorTerms): Promise<AccountCommandResult>;
  insuranceFunds(): readonly InsuranceFundBalance[];

  account(accountId: number): Promise<AccountView | null>;

  /**
   * Crypto-backed loans (services/risk loans; a core without loan terms refuses them
   * RISK_LOANS_DISABLED): borrow `principalUnits` of `loanAsset` against
   * `collateralUnits` of `collateralAsset` moved out of the account's balance. One of
   * the two may be 0: the core sizes it at the initial LTV (the most principal the
   * collateral backs, or the least collateral that backs the principal); `loan` in the
   * answer has both.
   */
  openLoan(accountId: number, loanAsset: string, collateralAsset: string, principalUnits: number, collateralUnits: number): Promise<LoanCommandResult>;
  addLoanCollateral(accountId: number, loanId: number, amountUnits: number): Promise<LoanCommandResult>;
  /** Takes collateral back: some must stay, and the LTV after (interest owed included) within the initial LTV. */
  removeLoanCollateral(accountId: number, loanId: number, amountUnits: number): Promise<LoanCommandResult>;
  /**
   * Interest first, then principal; at most what is owed. `returnCollateral` also gives
   * back, in the same command, the collateral the repayment frees (the LTV stays at or
   * below its level before and the initial LTV); without it the LTV falls.
   */
  repayLoan(accountId: number, loanId: number, amountUnits: number, returnCollateral?: boolean): Promise<LoanCommandResult>;
  /** Repays everything owed and returns the collateral. */
  closeLoan(accountId: number, loanId: number): Promise<LoanCommandResult>;

  /** The DeFi lending pool (services/risk defi-liquidation): supply and withdraw liquidity, borrow against pool collateral, repay. */
  poolSupply(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult>;
  poolWithdraw(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult>;
  poolBorrow(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult>;
  poolRepay(accountId: number, asset: string, amountUnits: number): Promise<AccountCommandResult>;
  /**
   * An external liquidator's call on a borrower below health factor 1: repays up to the
   * close factor of `debtAsset` and seizes `collateralAsset` with the bonus.
   * `expectedPositionSeq` is the borrower position's `positionSeq` the liquidator saw
   * (the account report's `lendingPool`): a position that changed since refuses the call, so
   * the first valid call wins.
   */
  liquidationCall(liquidatorAccountId: number, borrowerAccountId: number, debtAsset: string, collateralAsset: string, debtToCoverUnits: number, expectedPositionSeq: number): Promise<AccountCommandResult>;

  /** The lending pool's positions below health factor 1 now (ascending account id): what external liquidators pick from; none without a pool. */
  liquidationCandidates(): Promise<readonly PoolLiquidationCandidate[]>;

  /** The spot-margin ledger's assets with their decimals; none when the core runs no spot stage. */
  spotAssets(): readonly AssetSpec[];
  /** Operator custody into an account's spot-margin ledger (its collateral there); SPOT_NOT_LISTED without a spot stage. */
  spotDeposit(accountId: number, asset: string, amountUnits: number): Promise<SpotResult>;
  /** Operator custody out of the spot-margin ledger: refused past the available balance, while liquidating, or below the opening level. */
  spotWithdraw(accountId: number, asset: string, amountUnits: number): Promise<SpotResult>;
  /** Spot margin's three questions for the account (accepted collateral after haircuts, trigger feed, distance to call and liquidation); null without spot rows. */
  spotAccount(accountId: number): Promise<SpotAccountReport | null>;
  /** The pairs the spot-margin stage trades (none without one). */
  spotPairs(): readonly SpotPairSpec[];
  /** A pair's index price in ticks (its base asset's trigger feed); null before the first index or for a pair not traded. */
  spotIndexTicks(symbol: string): Promise<number | null>;
  /** How much of `asset` the account could borrow now (the largest amount a borrow would accept) and its per-account limit, in the asset's units. */
  spotMaxBorrowable(accountId: number, asset: string): Promise<SpotMaxBorrow>;
  /** Borrows from the spot lending pool (`SpotBorrowV1`): refused past the limits or the opening level, with the stage's code. */
  spotBorrow(accountId: number, asset: string, amountUnits: number): Promise<SpotCommandAnswer>;
  /** Repays a spot loan, interest first (`SpotRepayV1`); more than is owed, or than the account holds, is refused. */
  spotRepay(accountId: number, asset: string, amountUnits: number): Promise<SpotCommandAnswer>;
  /** A spot limit order (GTC or IOC; `autoBorrow` borrows the shortfall first): ok with its placement (id, fills as taker, what rests). */
  spotPlaceOrder(order: SpotOrderInput): Promise<SpotPlaceResult>;
  /** Cancels one of the account's open spot orders (RISK_SPOT_UNKNOWN_ORDER / RISK_SPOT_NOT_ORDER_OWNER otherwise). */
  spotCancelOrder(accountId: number, orderId: number): Promise<SpotResult>;
  /** Cancels every open spot order of the account. */
  spotCancelAll(accountId: number): Promise<SpotResult>;
  /** The account's open spot orders, oldest first (none without a spot stage). */
  spotOpenOrders(accountId: number): Promise<readonly SpotOpenOrder[]>;
  /** A spot book's best `levels` per side as [price ticks, lots], best first; null for a pair not traded. */
  spotDepth(symbol: string, levels: number): Promise<SpotDepth | null>;
  /** Operator: the what-if stress query (services/risk stress), read-only; a bad request answers its RISK_STRESS_* code. */
  stress(request: StressRequest): Promise<StressAnswer>;
  book(market: string, depth: number): Promise<BookSnapshot | null>;
  subscribe(handlers: CoreEventHandlers): Promise<ClientSubscription>;
  close(): Promise<void>;
}
