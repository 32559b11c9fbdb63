/**
 * Spot orders on the same order book library as the perps (one reference book per
 * pair), with funds held for every open order and fills settled in base and quote.
 *
 * - Limit orders only (GTC or IOC); liquidation uses IOC limits at the pair's band
 *   around the index. A buy holds `qty × limit × quoteUnitsPerLotTick` of the quote,
 *   a sell `qty × baseUnitsPerLot` of the base.
 * - Margin trade (`autoBorrow`): when the available balance is short, the shortfall is
 *   borrowed first, through the same checks as a borrow command.
 * - A fill trades at the maker's price: the buyer pays `qty × price × u` quote and
 *   receives `qty × baseUnitsPerLot` base; a taker buyer's hold is released at its
 *   limit, so its price improvement stays with it.
 * - Everything is checked before anything changes (pair, side, price and size range,
 *   funds), so the book itself never rejects an order the flow forwards.
 * - An open order keeps what a trading API answers about it (its original size, its
 *   time, the client's id, what has filled and for how much quote), so open orders
 *   survive a snapshot and a replay with every field a client reads; `place` answers
 *   with a `SpotPlacement` (the order id, its fills as taker, what rests).
 */
import { DomainError, OrderType, SelfTradePrevention, Side, TimeInForce, requirePositiveInteger } from '@perpcore/domain';
import { SpotMarginErrorCode, SpotStageErrorCode } from '@perpcore/margin';
import {
  type BookEventSink,
  type FillEvent,
  type OrderBook,
  type OrderCanceledEvent,
  CancelReason,
  createPlaceOrderCommand,
  createReferenceOrderBook,
} from '@perpcore/orderbook';
import type { SpotMarginCommands, SpotResult } from './spot-margin-commands.js';
import { OK } from './spot-margin-commands.js';
import type { SpotMarginContext } from './spot-margin-context.js';
import { SpotEventKind } from './spot-margin-events.js';
import { type SpotPairSpec, baseUnitsOf, quoteUnitsOf } from './spot-pair.js';

export interface SpotOpenOrder {
  readonly orderId: number;
  readonly accountId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly priceTicks: number;
  remainingLots: number;
  readonly origLots: number;
  readonly placedTsNs: number;
  /** The client's id for it ('' when none was given). */
  readonly clientOrderId: string;
  filledLots: number;
  filledQuoteUnits: number;
}

/** The outcome of a placement: ok with the order it made. */
export type SpotPlacementStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'EXPIRED';

export interface SpotPlacement {
  readonly orderId: number;
  readonly origLots: number;
  readonly filledLots: number;
  readonly filledQuoteUnits: number;
  /** Lots left resting on the book (0: filled, or an IOC's remainder cancelled). */
  readonly restingLots: number;
  readonly status: SpotPlacementStatus;
  /** Its fills as taker, in book order: [price ticks, lots]. */
  readonly fills: ReadonlyArray<readonly [number, number]>;
  /** What an auto-borrowing order borrowed first, in the held asset's units (0 when none). */
  readonly borrowedUnits: number;
  readonly borrowedAsset: string;
}

export type SpotPlaceResult = { readonly ok: true; readonly placement: SpotPlacement } | { readonly ok: false; readonly code: string };

/** Binance's rule for a client order id: 1 to 36 of these characters. */
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export interface SpotOrderInput {
  readonly accountId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly immediateOrCancel: boolean;
  readonly autoBorrow: boolean;
  /** The client's id for the order (optional; at most 36 of `[.A-Z:/a-z0-9_-]`). */
  readonly clientOrderId?: string;
}

export class SpotOrderFlow {
  readonly books = new Map<string, OrderBook>();
  readonly orders = new Map<number, SpotOpenOrder>();
  private readonly cmd = createPlaceOrderCommand();
  private tsNs = 0;
  /** Quote value traded by the order in flight (liquidation's sold value). */
  tradedQuoteUnits = 0;
  /** The order being placed, and its fills as taker (reused: cleared at each placement). */
  private placingOrderId = 0;
  private readonly placingFills: Array<readonly [number, number]> = [];

  constructor(
    private readonly c: SpotMarginContext,
    private readonly commands: SpotMarginCommands,
  ) {
    for (const pair of c.config.pairs) {
      const sink = this.sinkFor(pair);
      this.books.set(pair.symbol, createReferenceOrderBook({ maxPriceTicks: pair.maxPriceTicks, maxQtyLots: pair.maxQtyLots, priceBandE8: pair.priceBandE8 }, sink));
    }
  }

  place(input: SpotOrderInput, tsNs: number): SpotPlaceResult {
    const asset = this.c.pairBySymbol.get(input.symbol)?.quoteAsset ?? '';
    return this.commands.run(tsNs, input.accountId, asset, input.qtyLots, () => this.placeChecked(input, tsNs)) as SpotPlaceResult;
  }

  /** Places without its own rejection event (liquidation and `place` wrap it). */
  placeChecked(input: SpotOrderInput, tsNs: number): SpotPlaceResult {
    const pair = this.c.pairBySymbol.get(input.symbol);
    if (pair === undefined) throw new DomainError(SpotStageErrorCode.UnknownPair, `unknown spot pair ${String(input.symbol)}`);
    requirePositiveInteger('accountId', input.accountId);
    if (input.side !== Side.Buy && input.side !== Side.Sell) throw new DomainError('DOMAIN_OUT_OF_RANGE', `side must be 1 or -1, got ${String(input.side)}`);
    const price = requirePositiveInteger('priceTicks', input.priceTicks);
    const qty = requirePositiveInteger('qtyLots', input.qtyLots);
    if (price > pair.maxPriceTicks) throw new DomainError('DOMAIN_OUT_OF_RANGE', `priceTicks ${price} exceeds ${pair.maxPriceTicks}`);
    if (qty > pair.maxQtyLots) throw new DomainError('DOMAIN_OUT_OF_RANGE', `qtyLots ${qty} exceeds ${pair.maxQtyLots}`);
    const clientOrderId = input.clientOrderId ?? '';
    if (clientOrderId !== '' && (typeof clientOrderId !== 'string' || !CLIENT_ORDER_ID.test(clientOrderId))) {
      throw new DomainError(SpotStageErrorCode.BadClientOrderId, 'clientOrderId must be 1 to 36 of [.A-Z:/a-z0-9_-]');
    }
    const heldAsset = input.side === Side.Buy ? pair.quoteAsset : pair.baseAsset;
    const need = input.side === Side.Buy ? quoteUnitsOf(pair, qty, price) : baseUnitsOf(pair, qty);
    this.c.accrueTo(tsNs);
    const row = this.c.state.peekRow(input.accountId, heldAsset);
    const available = row === undefined ? 0 : row.balanceUnits - row.heldUnits;
    const borrowedUnits = available < need ? need - available : 0;
    if (borrowedUnits > 0) {
      if (!input.autoBorrow) return { ok: false, code: SpotMarginErrorCode.InsufficientBalance };
      const borrowed = this.commands.borrowChecked(input.accountId, heldAsset, borrowedUnits, tsNs);
      if (!borrowed.ok) return borrowed;
    }
    const orderId = this.c.state.nextOrderId++;
    this.c.state.row(input.accountId, heldAsset).heldUnits += need;
    const order: SpotOpenOrder = {
      orderId,
      accountId: input.accountId,
      symbol: pair.symbol,
      side: input.side,
      priceTicks: price,
      remainingLots: qty,
      origLots: qty,
      placedTsNs: tsNs,
      clientOrderId,
      filledLots: 0,
      filledQuoteUnits: 0,
    };
    this.orders.set(orderId, order);
    this.c.emit(SpotEventKind.OrderPlaced, tsNs, input.accountId, heldAsset, need, pair.symbol, [[input.accountId, heldAsset]], [], [], undefined, {
      orderId,
      side: input.side,
      priceTicks: price,
      qtyLots: qty,
      clientOrderId,
      immediateOrCancel: input.immediateOrCancel,
    });
    const cmd = this.cmd;
    cmd.orderId = orderId;
    cmd.accountId = input.accountId;
    cmd.side = input.side;
    cmd.type = OrderType.Limit;
    cmd.timeInForce = input.immediateOrCancel ? TimeInForce.ImmediateOrCancel : TimeInForce.GoodTillCancel;
    cmd.priceTicks = price;
    cmd.qtyLots = qty;
    cmd.selfTradePrevention = SelfTradePrevention.CancelTaker;
    this.tsNs = tsNs;
    this.placingOrderId = orderId;
    this.placingFills.length = 0;
    this.books.get(pair.symbol)!.place(cmd);
    this.placingOrderId = 0;
    const restingLots = this.orders.has(orderId) ? order.remainingLots : 0;
    const status: SpotPlacementStatus = order.filledLots === qty ? 'FILLED' : restingLots > 0 ? (order.filledLots > 0 ? 'PARTIALLY_FILLED' : 'NEW') : 'EXPIRED';
    const placement: SpotPlacement = {
      orderId,
      origLots: qty,
      filledLots: order.filledLots,
      filledQuoteUnits: order.filledQuoteUnits,
      restingLots,
      status,
      fills: this.placingFills.slice(),
      borrowedUnits,
      borrowedAsset: borrowedUnits > 0 ? heldAsset : '',
    };
    return { ok: true, placement };
  }

  cancel(accountId: number, orderId: number, tsNs: number): SpotResult {
    return this.commands.run(tsNs, accountId, '', orderId, () => {
      const order = this.orders.get(orderId);
      if (order === undefined) throw new DomainError(SpotStageErrorCode.UnknownOrder, `no open spot order ${String(orderId)}`);
      if (order.accountId !== accountId) throw new DomainError(SpotStageErrorCode.NotOrderOwner, `order ${orderId} is not account ${accountId}'s`);
      this.tsNs = tsNs;
      this.books.get(order.symbol)!.cancel({ orderId, accountId });
      return OK;
    });
  }

  /** Cancels every open order of the account (liquidation's first step, or a maker's requote). */
  cancelAllOf(accountId: number, tsNs: number, reason: CancelReason = CancelReason.Liquidation): void {
    this.tsNs = tsNs;
    for (const book of this.books.values()) book.cancelAll(accountId, reason);
  }

  private sinkFor(pair: SpotPairSpec): BookEventSink {
    return {
      onAccepted: () => undefined,
      onRejected: (e) => {
        // placeChecked validated everything the book checks: a reject here is a bug
        throw new Error(`spot book ${pair.symbol} rejected order ${e.orderId}: ${e.code}`);
      },
      onFill: (e) => this.settleFill(pair, e),
      onCanceled: (e) => this.release(pair, e),
      onAmended: () => undefined,
      onTriggered: () => undefined,
      onBookDelta: () => undefined,
    };
  }

  private settleFill(pair: SpotPairSpec, e: FillEvent): void {
    const taker = this.orders.get(e.takerOrderId)!;
    const maker = this.orders.get(e.makerOrderId)!;
    const [buy, sell] = e.takerSide === Side.Buy ? [taker, maker] : [maker, taker];
    const quote = quoteUnitsOf(pair, e.qtyLots, e.priceTicks);
    const base = baseUnitsOf(pair, e.qtyLots);
    const s = this.c.state;
    const buyQuote = s.row(buy.accountId, pair.quoteAsset);
    buyQuote.balanceUnits -= quote;
    buyQuote.heldUnits -= quoteUnitsOf(pair, e.qtyLots, buy.priceTicks);
    s.row(buy.accountId, pair.baseAsset).balanceUnits += base;
    const sellBase = s.row(sell.accountId, pair.baseAsset);
    sellBase.balanceUnits -= base;
    sellBase.heldUnits -= base;
    s.row(sell.accountId, pair.quoteAsset).balanceUnits += quote;
    for (const o of [taker, maker]) {
      o.remainingLots -= e.qtyLots;
      o.filledLots += e.qtyLots;
      o.filledQuoteUnits += quote;
      if (o.remainingLots === 0) this.orders.delete(o.orderId);
    }
    if (taker.orderId === this.placingOrderId) this.placingFills.push([e.priceTicks, e.qtyLots]);
    this.tradedQuoteUnits += quote;
    this.c.emit(SpotEventKind.Filled, this.tsNs, e.takerAccountId, pair.baseAsset, e.qtyLots, `${pair.symbol}@${e.priceTicks}`, [
      [buy.accountId, pair.quoteAsset],
      [buy.accountId, pair.baseAsset],
      [sell.accountId, pair.baseAsset],
      [sell.accountId, pair.quoteAsset],
    ], [], [], undefined, { orderId: taker.orderId, side: e.takerSide, priceTicks: e.priceTicks, qtyLots: e.qtyLots, makerOrderId: maker.orderId });
  }

  private release(pair: SpotPairSpec, e: OrderCanceledEvent): void {
    const order = this.orders.get(e.orderId);
    if (order === undefined) return;
    const asset = order.side === Side.Buy ? pair.quoteAsset : pair.baseAsset;
    const freed = order.side === Side.Buy ? quoteUnitsOf(pair, e.canceledLots, order.priceTicks) : baseUnitsOf(pair, e.canceledLots);
    this.c.state.row(order.accountId, asset).heldUnits -= freed;
    order.remainingLots -= e.canceledLots;
    if (order.remainingLots === 0) this.orders.delete(order.orderId);
    this.c.emit(SpotEventKind.OrderCanceled, this.tsNs, order.accountId, asset, freed, pair.symbol, [[order.accountId, asset]], [], [], undefined, { orderId: order.orderId, side: order.side, priceTicks: order.priceTicks, qtyLots: e.canceledLots });
  }
}
