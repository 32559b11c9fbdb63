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
}

export interface SpotOrderInput {
  readonly accountId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly immediateOrCancel: boolean;
  readonly autoBorrow: boolean;
}

export class SpotOrderFlow {
  readonly books = new Map<string, OrderBook>();
  readonly orders = new Map<number, SpotOpenOrder>();
  private readonly cmd = createPlaceOrderCommand();
  private tsNs = 0;
  /** Quote value traded by the order in flight (liquidation's sold value). */
  tradedQuoteUnits = 0;

  constructor(
    private readonly c: SpotMarginContext,
    private readonly commands: SpotMarginCommands,
  ) {
    for (const pair of c.config.pairs) {
      const sink = this.sinkFor(pair);
      this.books.set(pair.symbol, createReferenceOrderBook({ maxPriceTicks: pair.maxPriceTicks, maxQtyLots: pair.maxQtyLots, priceBandE8: pair.priceBandE8 }, sink));
    }
  }

  place(input: SpotOrderInput, tsNs: number): SpotResult {
    const asset = this.c.pairBySymbol.get(input.symbol)?.quoteAsset ?? '';
    return this.commands.run(tsNs, input.accountId, asset, input.qtyLots, () => this.placeChecked(input, tsNs));
  }

  /** Places without its own rejection event (liquidation and `place` wrap it). */
  placeChecked(input: SpotOrderInput, tsNs: number): SpotResult {
    const pair = this.c.pairBySymbol.get(input.symbol);
    if (pair === undefined) throw new DomainError(SpotStageErrorCode.UnknownPair, `unknown spot pair ${String(input.symbol)}`);
    requirePositiveInteger('accountId', input.accountId);
    if (input.side !== Side.Buy && input.side !== Side.Sell) throw new DomainError('DOMAIN_OUT_OF_RANGE', `side must be 1 or -1, got ${String(input.side)}`);
    const price = requirePositiveInteger('priceTicks', input.priceTicks);
    const qty = requirePositiveInteger('qtyLots', input.qtyLots);
    if (price > pair.maxPriceTicks) throw new DomainError('DOMAIN_OUT_OF_RANGE', `priceTicks ${price} exceeds ${pair.maxPriceTicks}`);
    if (qty > pair.maxQtyLots) throw new DomainError('DOMAIN_OUT_OF_RANGE', `qtyLots ${qty} exceeds ${pair.maxQtyLots}`);
    const heldAsset = input.side === Side.Buy ? pair.quoteAsset : pair.baseAsset;
    const need = input.side === Side.Buy ? quoteUnitsOf(pair, qty, price) : baseUnitsOf(pair, qty);
    this.c.accrueTo(tsNs);
    const row = this.c.state.peekRow(input.accountId, heldAsset);
    const available = row === undefined ? 0 : row.balanceUnits - row.heldUnits;
    if (available < need) {
      if (!input.autoBorrow) return { ok: false, code: SpotMarginErrorCode.InsufficientBalance };
      const borrowed = this.commands.borrowChecked(input.accountId, heldAsset, need - available, tsNs);
      if (!borrowed.ok) return borrowed;
    }
    const orderId = this.c.state.nextOrderId++;
    this.c.state.row(input.accountId, heldAsset).heldUnits += need;
    this.orders.set(orderId, { orderId, accountId: input.accountId, symbol: pair.symbol, side: input.side, priceTicks: price, remainingLots: qty });
    this.c.emit(SpotEventKind.OrderPlaced, tsNs, input.accountId, heldAsset, need, pair.symbol, [[input.accountId, heldAsset]], [], [], undefined, { orderId, side: input.side, priceTicks: price, qtyLots: qty });
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
    this.books.get(pair.symbol)!.place(cmd);
    return OK;
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
      if (o.remainingLots === 0) this.orders.delete(o.orderId);
    }
    this.tradedQuoteUnits += quote;
    this.c.emit(SpotEventKind.Filled, this.tsNs, e.takerAccountId, pair.baseAsset, e.qtyLots, `${pair.symbol}@${e.priceTicks}`, [
      [buy.accountId, pair.quoteAsset],
      [buy.accountId, pair.baseAsset],
      [sell.accountId, pair.baseAsset],
      [sell.accountId, pair.quoteAsset],
    ], []);
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
