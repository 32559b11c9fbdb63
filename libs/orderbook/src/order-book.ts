/**
 * The `OrderBook` port: one central limit order book for one market, and the
 * events it reports. Two implementations stand behind it (a plain reference book
 * and a fast typed-array book) and pass one contract suite.
 *
 * Shape
 * - Commands come in as plain structs the caller may reuse after the call returns;
 *   the book never keeps a reference to them.
 * - Events go out through `BookEventSink`, synchronously, during the call. The event
 *   struct handed to the sink is owned by the book and reused for the next event:
 *   a sink that keeps an event must copy it. This keeps the matching path free of
 *   per-event allocation.
 * - Pure and deterministic: no clock, no randomness, no I/O. Same commands → same
 *   events → same `stateHash()`, in either implementation.
 *
 * Ordering invariant: price-time priority. Better price first; at one price, the
 * order that (re)entered the level first trades first. Fills trade at the maker's price.
 *
 * Semantics (both implementations; the contract suite pins each line)
 * - Validation runs before any change; a rejected command emits one `onRejected`
 *   and leaves the book and `stateHash()` unchanged. Order: order id, account,
 *   side/type/TIF/STP, limit price, quantity, trigger, duplicate id (resting or
 *   untriggered), would-trigger-now, post-only cross, market reference price.
 *   `cancelAll` and `setMarkPrice` rejects carry orderId 0 (and accountId 0 for the mark).
 * - Time in force: GTC rests its remainder; IOC cancels it (`Unfilled`); FOK first
 *   checks that the whole quantity would fill (own orders that STP would cancel do not
 *   count; one that would stop the taker ends the count), else it is cancelled with
 *   nothing traded. Post-only (plain limit orders only) is rejected with
 *   `MATCHING_POST_ONLY_WOULD_TAKE` if it would take on arrival — never repriced.
 * - Market orders (GTC or IOC: never rest; FOK: whole or nothing) trade up to the band
 *   limit around the reference (mark, else last trade, else best opposite at arrival;
 *   none → `MATCHING_NO_REFERENCE_PRICE`): buy ≤ floor(ref × (1 + band)), sell ≥
 *   ceil(ref × (1 − band)). The remainder is cancelled `PriceBand`, or `Unfilled` if
 *   the opposite side ran dry.
 * - Amend: same price and size ≤ remaining keeps priority (in place); anything else
 *   leaves the level and re-enters at the back, trading first if it crosses. A
 *   post-only order amended into a cross is rejected and keeps its price, size and
 *   priority. Untriggered stops cannot be amended (`MATCHING_INVALID_ORDER_TYPE`:
 *   cancel and re-place).
 * - Self-trade prevention is the taker's mode, applied when maker and taker share an
 *   account: CancelTaker cancels the taker remainder (maker untouched), CancelMaker
 *   cancels that maker and goes on, CancelBoth does both; reason `SelfTradePrevention`.
 * - Stops / take-profits wait off the book (not matchable, not in `restingOrderCount`)
 *   until their source price (last trade, or mark via `setMarkPrice`) crosses the
 *   trigger: stop buy ≥, stop sell ≤, take-profit buy ≤, take-profit sell ≥. One that
 *   would trigger at once on arrival is rejected `MATCHING_INVALID_TRIGGER` (no price
 *   at the source yet never triggers). Release order: after each command, the
 *   earliest-accepted waiting order whose trigger holds is released (`onTriggered`,
 *   then it runs as its market / limit order), and the search repeats until none
 *   holds, so cascades are deterministic. `reduceOnly` is carried, not enforced.
 * - `cancelAll` cancels the account's resting and untriggered orders in acceptance
 *   order (an amend does not change it).
 * - Sinks must not call back into the book while it emits.
 */
import type {
  AccountId,
  OrderId,
  OrderType,
  SelfTradePrevention,
  Side,
  TimeInForce,
  TriggerSource,
} from '@perpcore/domain';
import type { BookState } from './book-state.js';

export interface PlaceOrderCommand {
  orderId: OrderId;
  accountId: AccountId;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Limit price; ignored (0) for market and stop-market orders. */
  priceTicks: number;
  qtyLots: number;
  /** Trigger price for stop and take-profit orders, else 0. */
  triggerPriceTicks: number;
  triggerSource: TriggerSource;
  selfTradePrevention: SelfTradePrevention;
  /** Carried for the risk stage (reduce-only orders may only shrink a position); the book does not enforce it. */
  reduceOnly: boolean;
}

export interface CancelOrderCommand {
  orderId: OrderId;
  accountId: AccountId;
}

/**
 * Amend: `qtyLots` is the new *remaining* quantity. Same price and a smaller size
 * keeps queue priority; a price change or a larger size loses it (the order re-enters
 * the back of its new level and may trade if the new price crosses).
 */
export interface AmendOrderCommand {
  orderId: OrderId;
  accountId: AccountId;
  priceTicks: number;
  qtyLots: number;
}

export const CancelReason = {
  UserRequested: 1,
  /** IOC / market remainder, or a FOK that could not fill whole. */
  Unfilled: 2,
  SelfTradePrevention: 3,
  /** Market order remainder beyond the price band. */
  PriceBand: 4,
  CancelAll: 5,
  /** Cancelled by the risk or liquidation stage. */
  Liquidation: 6,
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

/** Reject codes of the matching stage. A rejected command leaves the book unchanged. */
export const MatchingReject = {
  InvalidPrice: 'MATCHING_INVALID_PRICE',
  InvalidQuantity: 'MATCHING_INVALID_QTY',
  InvalidOrderId: 'MATCHING_INVALID_ORDER_ID',
  InvalidAccount: 'MATCHING_INVALID_ACCOUNT',
  InvalidOrderType: 'MATCHING_INVALID_ORDER_TYPE',
  InvalidTrigger: 'MATCHING_INVALID_TRIGGER',
  DuplicateOrderId: 'MATCHING_DUPLICATE_ORDER_ID',
  UnknownOrder: 'MATCHING_UNKNOWN_ORDER',
  NotOrderOwner: 'MATCHING_NOT_ORDER_OWNER',
  PostOnlyWouldTake: 'MATCHING_POST_ONLY_WOULD_TAKE',
  NoReferencePrice: 'MATCHING_NO_REFERENCE_PRICE',
  /** `cancelAll` with a reason outside `CancelReason`. */
  InvalidCancelReason: 'MATCHING_INVALID_CANCEL_REASON',
} as const;
export type MatchingReject = (typeof MatchingReject)[keyof typeof MatchingReject];

/** Reused by the book for every fill: copy what you keep. */
export interface FillEvent {
  makerOrderId: OrderId;
  makerAccountId: AccountId;
  takerOrderId: OrderId;
  takerAccountId: AccountId;
  /** The taker's side; the maker is on the other. */
  takerSide: Side;
  priceTicks: number;
  qtyLots: number;
  makerRemainingLots: number;
  takerRemainingLots: number;
}

export interface OrderAcceptedEvent {
  orderId: OrderId;
  accountId: AccountId;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  priceTicks: number;
  qtyLots: number;
  triggerPriceTicks: number;
  reduceOnly: boolean;
}

export interface OrderRejectedEvent {
  orderId: OrderId;
  accountId: AccountId;
  code: MatchingReject;
}

export interface OrderCanceledEvent {
  orderId: OrderId;
  accountId: AccountId;
  side: Side;
  priceTicks: number;
  canceledLots: number;
  reason: CancelReason;
}

export interface OrderAmendedEvent {
  orderId: OrderId;
  accountId: AccountId;
  side: Side;
  oldPriceTicks: number;
  oldQtyLots: number;
  priceTicks: number;
  qtyLots: number;
  keptPriority: boolean;
}

/** A stop / take-profit order whose trigger was crossed; it now enters the book as its market or limit order. */
export interface OrderTriggeredEvent {
  orderId: OrderId;
  accountId: AccountId;
  triggerPriceTicks: number;
  /** The last-trade or mark price that crossed the trigger. */
  crossingPriceTicks: number;
}

/** The total resting quantity at one price level after a change (0 = level gone). */
export interface BookDeltaEvent {
  side: Side;
  priceTicks: number;
  levelQtyLots: number;
}

/**
 * Receives the book's events, in order, during each call. Per command the order is:
 * accepted | rejected, then for each match: fill (and book delta of the maker
 * level), then the taker's resting delta or its cancel, then triggered orders and
 * their own events.
 */
export interface BookEventSink {
  onAccepted(e: OrderAcceptedEvent): void;
  onRejected(e: OrderRejectedEvent): void;
  onFill(e: FillEvent): void;
  onCanceled(e: OrderCanceledEvent): void;
  onAmended(e: OrderAmendedEvent): void;
  onTriggered(e: OrderTriggeredEvent): void;
  onBookDelta(e: BookDeltaEvent): void;
}

/** A resting order as seen from outside (queries, snapshots). */
export interface RestingOrderView {
  orderId: OrderId;
  accountId: AccountId;
  side: Side;
  priceTicks: number;
  remainingLots: number;
}

export interface OrderBook {
  place(cmd: PlaceOrderCommand): void;
  cancel(cmd: CancelOrderCommand): void;
  amend(cmd: AmendOrderCommand): void;
  /** Cancels every resting and untriggered order of the account (reason CancelAll or the given one). */
  cancelAll(accountId: AccountId, reason?: CancelReason): void;
  /** Feeds the mark price: releases mark-triggered orders, and becomes the market-order band reference. */
  setMarkPrice(priceTicks: number): void;

  bestBidTicks(): number; // 0 when empty
  bestAskTicks(): number; // 0 when empty
  lastTradeTicks(): number; // 0 before the first trade
  restingOrderCount(): number;
  /** Resting quantity at a price on a side (0 if none). */
  levelQtyLots(side: Side, priceTicks: number): number;
  /** Visits up to `maxLevels` levels from the best price: (priceTicks, qtyLots). */
  forEachLevel(side: Side, maxLevels: number, visit: (priceTicks: number, qtyLots: number) => void): void;
  /** Resting orders only (not untriggered stops). */
  getOrder(orderId: OrderId): RestingOrderView | undefined;
  /** Visits every resting order of a side in priority order (best price first, queue order within a level): for snapshots. */
  forEachRestingOrder(
    side: Side,
    visit: (orderId: OrderId, accountId: AccountId, priceTicks: number, remainingLots: number) => void,
  ): void;
  /** Implementation-independent hash of the whole book state (resting orders in priority order, pending stops, last trade, mark). */
  stateHash(): string;
  /** The complete state as plain data (book-state.ts): same state, same value, in either implementation. */
  exportState(): BookState;
  /** Loads `exportState()`'s value into this book, which must be empty; emits no events. Throws, changing nothing, on an invalid state. */
  importState(state: BookState): void;
}

export interface OrderBookConfig {
  maxPriceTicks: number;
  maxQtyLots: number;
  priceBandE8: number;
}

export type OrderBookFactory = (config: OrderBookConfig, sink: BookEventSink) => OrderBook;
