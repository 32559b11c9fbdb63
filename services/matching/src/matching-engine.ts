/**
 * The matching stage's state machine: one book per market, each with its own event
 * stream and sequence numbers. Commands in (`MatchingCommandV1`), events out through
 * the publish port, synchronously and in book order. No I/O and no clock: time comes
 * from the command envelope, so the same command log gives the same events and the
 * same `stateHash()`.
 *
 * Checks before the book (each a reject event, nothing changed): unknown market
 * (`MATCHING_UNKNOWN_MARKET`, published on the stage-wide stream with seq 0 because
 * there is no market stream to number it), enum values the schema does not define,
 * a duplicate open client order id (`MATCHING_DUPLICATE_CLIENT_ORDER_ID`). Numeric
 * validation (tick, lot, range, NaN) is the book's and produces its reject codes.
 * A command whose (source, seq) was already applied is dropped (redelivery).
 *
 * Market halt (operator, market-halt.proto): `haltMarket` / `resumeMarket` answer
 * with `marketHalted` / `marketResumed` (or a reject when the market is already in
 * that state). While halted, places and amends are rejected with
 * MATCHING_MARKET_HALTED (liquidation steps too: the ladder sees a reject), cancels
 * and cancel-alls still apply, and the mark price is not applied to the book (no
 * stop triggers). The book is kept; the halt is part of `stateHash()`.
 */
import { type MarketSpec, OrderType, SelfTradePrevention, TimeInForce, TriggerSource } from '@perpcore/domain';
import { CancelReason, createPlaceOrderCommand, type OrderBook, type OrderBookFactory, type PlaceOrderCommand } from '@perpcore/orderbook';
import { SCHEMA_MAJOR_V1, sideFromWire, type MatchingCommandV1, type MatchingEventV1, type perpcore } from '@perpcore/proto';
import { captureState, restoreState } from '@perpcore/snapshot';
import { MarketStream, type MatchingEventPort } from './market-stream.js';

export const MatchingServiceReject = {
  UnknownMarket: 'MATCHING_UNKNOWN_MARKET',
  DuplicateClientOrderId: 'MATCHING_DUPLICATE_CLIENT_ORDER_ID',
  InvalidSide: 'MATCHING_INVALID_SIDE',
  InvalidOrderType: 'MATCHING_INVALID_ORDER_TYPE',
  InvalidTimeInForce: 'MATCHING_INVALID_TIME_IN_FORCE',
  InvalidCommand: 'MATCHING_INVALID_COMMAND',
  MarketHalted: 'MATCHING_MARKET_HALTED',
  MarketAlreadyHalted: 'MATCHING_MARKET_ALREADY_HALTED',
  MarketNotHalted: 'MATCHING_MARKET_NOT_HALTED',
} as const;

export interface MatchingEngineDeps {
  markets: readonly MarketSpec[];
  createBook: OrderBookFactory;
  publish: MatchingEventPort;
  /**
   * Book samples for risk's mark price and premium index (book-sample-schedule.ts):
   * before a command whose time crosses the next multiple of `intervalNs(symbol)`, its
   * market emits a `BookSampleV1` of `depthLevels` per side. Off by default (tests of
   * matching alone); both modes' compositions turn it on.
   */
  bookSample?: { intervalNs(symbol: string): number; depthLevels: number };
}

const VALID_ORDER_TYPES = new Set<number>(Object.values(OrderType));
const VALID_TIME_IN_FORCE = new Set<number>(Object.values(TimeInForce));
const VALID_STP = new Set<number>(Object.values(SelfTradePrevention));
const VALID_CANCEL_REASONS = new Set<number>(Object.values(CancelReason));

export class MatchingEngine {
  private readonly streams = new Map<string, MarketStream>();
  private readonly placeCmd: PlaceOrderCommand = createPlaceOrderCommand();
  private readonly idCmd = { orderId: 0, accountId: 0 };
  private readonly amendCmd = { orderId: 0, accountId: 0, priceTicks: 0, qtyLots: 0 };
  commandsApplied = 0;
  duplicatesDropped = 0;

  constructor(private readonly deps: MatchingEngineDeps) {
    for (const spec of deps.markets) this.streams.set(spec.symbol, new MarketStream(spec, deps.createBook, deps.publish));
  }

  markets(): string[] {
    return [...this.streams.keys()];
  }

  book(symbol: string): OrderBook | undefined {
    return this.streams.get(symbol)?.book;
  }

  stream(symbol: string): MarketStream | undefined {
    return this.streams.get(symbol);
  }

  handle(cmd: MatchingCommandV1): void {
    const stream = this.streams.get(cmd.market);
    if (stream === undefined) {
      this.rejectUnknownMarket(cmd);
      return;
    }
    const source = cmd.source;
    if (cmd.seq > 0) {
      const last = stream.appliedInputSeq.get(source) ?? 0;
      if (cmd.seq <= last) {
        this.duplicatesDropped++;
        return;
      }
      stream.appliedInputSeq.set(source, cmd.seq);
    }
    this.commandsApplied++;
    const sampling = this.deps.bookSample;
    if (sampling !== undefined) {
      stream.begin(cmd.tsNs, source, cmd.seq);
      stream.sampleIfDue(cmd.tsNs, sampling.intervalNs(cmd.market), sampling.depthLevels);
    }
    switch (cmd.command) {
      case 'place':
        this.place(stream, cmd, cmd.place as perpcore.matching.v1.PlaceOrderV1);
        return;
      case 'cancel': {
        const c = cmd.cancel as perpcore.matching.v1.CancelOrderV1;
        stream.begin(cmd.tsNs, source, cmd.seq);
        this.idCmd.orderId = c.orderId;
        this.idCmd.accountId = c.accountId;
        stream.book.cancel(this.idCmd);
        return;
      }
      case 'amend': {
        const a = cmd.amend as perpcore.matching.v1.AmendOrderV1;
        stream.begin(cmd.tsNs, source, cmd.seq);
        if (stream.halted) return stream.reject(a.orderId, a.accountId, MatchingServiceReject.MarketHalted, `market ${stream.spec.symbol} is halted: ${stream.haltReason}`);
        this.amendCmd.orderId = a.orderId;
        this.amendCmd.accountId = a.accountId;
        this.amendCmd.priceTicks = a.priceTicks;
        this.amendCmd.qtyLots = a.qtyLots;
        stream.book.amend(this.amendCmd);
        return;
      }
      case 'cancelAll': {
        const c = cmd.cancelAll as perpcore.matching.v1.CancelAllOrdersV1;
        stream.begin(cmd.tsNs, source, cmd.seq);
        const reason = VALID_CANCEL_REASONS.has(c.reason) ? (c.reason as CancelReason) : CancelReason.CancelAll;
        stream.book.cancelAll(c.accountId, reason);
        return;
      }
      case 'haltMarket':
        stream.begin(cmd.tsNs, source, cmd.seq);
        if (stream.halted) return stream.reject(0, 0, MatchingServiceReject.MarketAlreadyHalted, `market ${stream.spec.symbol} is already halted`);
        stream.halt(cmd.haltMarket?.reason ?? '');
        return;
      case 'resumeMarket':
        stream.begin(cmd.tsNs, source, cmd.seq);
        if (!stream.halted) return stream.reject(0, 0, MatchingServiceReject.MarketNotHalted, `market ${stream.spec.symbol} is not halted`);
        stream.resume();
        return;
      default:
        stream.begin(cmd.tsNs, source, cmd.seq);
        stream.reject(0, 0, MatchingServiceReject.InvalidCommand, 'command envelope carries no command');
    }
  }

  /** Mark price from the risk stage (ticks): mark-triggered stops, market-order band reference. */
  setMarkPrice(symbol: string, markTicks: number, tsNs: number): boolean {
    const stream = this.streams.get(symbol);
    if (stream === undefined || !Number.isSafeInteger(markTicks) || markTicks <= 0) return false;
    if (stream.halted) return true;
    stream.begin(tsNs, '', 0);
    stream.book.setMarkPrice(markTicks);
    return true;
  }

  private place(stream: MarketStream, cmd: MatchingCommandV1, p: perpcore.matching.v1.PlaceOrderV1): void {
    stream.begin(cmd.tsNs, cmd.source, cmd.seq, p.liquidationId > 0 ? p.orderId : 0, p.liquidationId);
    if (stream.halted) return stream.reject(p.orderId, p.accountId, MatchingServiceReject.MarketHalted, `market ${stream.spec.symbol} is halted: ${stream.haltReason}`);
    const side = sideFromWire(p.side);
    if (side === undefined) return stream.reject(p.orderId, p.accountId, MatchingServiceReject.InvalidSide, `side ${p.side} is not BUY or SELL`);
    if (!VALID_ORDER_TYPES.has(p.type)) return stream.reject(p.orderId, p.accountId, MatchingServiceReject.InvalidOrderType, `order type ${p.type} is unknown`);
    if (!VALID_TIME_IN_FORCE.has(p.timeInForce)) {
      return stream.reject(p.orderId, p.accountId, MatchingServiceReject.InvalidTimeInForce, `time in force ${p.timeInForce} is unknown`);
    }
    const clientOrderId = p.clientOrderId;
    if (clientOrderId.length > 0 && stream.clientOrderIds.isOpen(p.accountId, clientOrderId)) {
      return stream.reject(p.orderId, p.accountId, MatchingServiceReject.DuplicateClientOrderId, `client order id ${JSON.stringify(clientOrderId)} is already open`);
    }
    const c = this.placeCmd;
    c.orderId = p.orderId;
    c.accountId = p.accountId;
    c.side = side;
    c.type = p.type as OrderType;
    c.timeInForce = p.timeInForce as TimeInForce;
    c.priceTicks = p.priceTicks;
    c.qtyLots = p.qtyLots;
    c.triggerPriceTicks = p.triggerPriceTicks;
    c.triggerSource = p.triggerSource === TriggerSource.MarkPrice ? TriggerSource.MarkPrice : TriggerSource.LastTrade;
    c.selfTradePrevention = VALID_STP.has(p.selfTradePrevention) ? (p.selfTradePrevention as SelfTradePrevention) : SelfTradePrevention.None;
    c.reduceOnly = p.reduceOnly;
    const seqBefore = stream.seq;
    stream.book.place(c);
    // register the client id only if the order is still open on the book after the call
    if (clientOrderId.length > 0 && stream.seq > seqBefore && stream.book.getOrder(p.orderId) !== undefined) {
      stream.clientOrderIds.open(p.accountId, clientOrderId, p.orderId);
    }
  }

  private rejectUnknownMarket(cmd: MatchingCommandV1): void {
    const orderId = cmd.place?.orderId ?? cmd.cancel?.orderId ?? cmd.amend?.orderId ?? 0;
    const accountId = cmd.place?.accountId ?? cmd.cancel?.accountId ?? cmd.amend?.accountId ?? cmd.cancelAll?.accountId ?? 0;
    const event = {
      schemaMajor: SCHEMA_MAJOR_V1,
      market: cmd.market,
      seq: 0,
      tsNs: cmd.tsNs,
      inputSource: cmd.source,
      inputSeq: cmd.seq,
      event: 'rejected',
      rejected: { orderId, accountId, code: MatchingServiceReject.UnknownMarket, message: `market ${JSON.stringify(cmd.market)} is not listed` },
    } as MatchingEventV1;
    this.deps.publish(event);
  }

  /**
   * The stage's complete state (books with resting and stop orders in priority order,
   * sequences, dedup positions, client order ids, liquidation ids) as bytes
   * (@perpcore/snapshot): `importState` on a fresh engine of the same markets gives
   * the same `stateHash()` and, fed the same commands, the same events.
   */
  exportState(): Uint8Array {
    return captureState(this);
  }

  /** Loads `exportState()`'s bytes into this engine, which must be fresh; throws, changing nothing, if they do not fit. */
  importState(bytes: Uint8Array): void {
    restoreState(this, bytes);
  }

  /** Hash over every market's book state, in market order. */
  stateHash(): string {
    const parts: string[] = [];
    for (const [symbol, stream] of this.streams) parts.push(`${symbol}:${stream.seq}:${stream.tradeSeq}:${stream.book.stateHash()}${stream.halted ? ':halted' : ''}`);
    return parts.join('|');
  }
}
