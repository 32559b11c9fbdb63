/**
 * Simulated order flow: market makers quoting a ladder around a drifting fair price,
 * takers crossing the spread, and the cancels and amends (moves) that dominate real
 * venue traffic. Deterministic for a seed; the exchange feeds back which orders left
 * the book so makers only move or cancel orders that still rest.
 *
 * Output goes to an `OrderFlowPort`, so the same flow drives the embedded exchange,
 * the cluster, and the load harness.
 */
import { OrderType, Side, TimeInForce } from '@perpcore/domain';
import { SeededRandom } from './seeded-random.js';

export interface SimulatedMarket {
  symbol: string;
  startPriceTicks: number;
  /** Std-dev-like size of one fair-price step, in ticks. */
  driftTicks: number;
  maxQtyLots: number;
}

export interface OrderFlowConfig {
  seed: number;
  markets: SimulatedMarket[];
  /** Account ids of market makers and of takers (disjoint). */
  makerAccounts: number[];
  takerAccounts: number[];
  quotesPerSide: number;
  /** Ticks between a maker's ladder rungs. */
  quoteSpacingTicks: number;
  /** Probabilities per step; the rest are maker moves (amends). */
  takerShare: number;
  cancelShare: number;
  newQuoteShare: number;
  /** Largest quote / taker order, in lots. */
  maxOrderLots: number;
  /** First order id to use (ids are unique per run). */
  firstOrderId: number;
}

export interface PlaceIntent {
  symbol: string;
  orderId: number;
  accountId: number;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  priceTicks: number;
  qtyLots: number;
}

export interface OrderFlowPort {
  place(intent: PlaceIntent): void;
  cancel(symbol: string, accountId: number, orderId: number): void;
  amend(symbol: string, accountId: number, orderId: number, priceTicks: number, qtyLots: number): void;
}

interface RestingQuote {
  orderId: number;
  accountId: number;
  side: Side;
}

export class OrderFlowSimulation {
  private readonly random: SeededRandom;
  private readonly fairTicks: number[];
  private readonly resting: RestingQuote[][];
  private readonly restingIndex = new Map<number, { market: number; slot: number }>();
  private nextOrderId: number;
  private readonly intent: PlaceIntent = {
    symbol: '',
    orderId: 0,
    accountId: 0,
    side: Side.Buy,
    type: OrderType.Limit,
    timeInForce: TimeInForce.GoodTillCancel,
    priceTicks: 0,
    qtyLots: 0,
  };

  constructor(
    private readonly config: OrderFlowConfig,
    private readonly port: OrderFlowPort,
  ) {
    this.random = new SeededRandom(config.seed);
    this.fairTicks = config.markets.map((m) => m.startPriceTicks);
    this.resting = config.markets.map(() => []);
    this.nextOrderId = config.firstOrderId;
  }

  /** Current fair price of a market (the oracle index follows it in embedded mode). */
  fairPriceTicks(marketIndex: number): number {
    return this.fairTicks[marketIndex] as number;
  }

  /** Makers quote around `priceTicks` from now on (embedded mode follows the oracle index). */
  setFairPriceTicks(marketIndex: number, priceTicks: number): void {
    this.fairTicks[marketIndex] = Math.max(this.config.quoteSpacingTicks * (this.config.quotesPerSide + 2), Math.round(priceTicks));
  }

  /** Moves a market's fair price by `deltaTicks` (price shocks). */
  shock(marketIndex: number, deltaTicks: number): void {
    this.fairTicks[marketIndex] = Math.max(1, (this.fairTicks[marketIndex] as number) + deltaTicks);
  }

  /** Feedback: the order rests on the book (makers may move or cancel it). */
  orderRested(marketIndex: number, orderId: number, accountId: number, side: Side): void {
    if (this.restingIndex.has(orderId) || !this.config.makerAccounts.includes(accountId)) return;
    const list = this.resting[marketIndex] as RestingQuote[];
    this.restingIndex.set(orderId, { market: marketIndex, slot: list.length });
    list.push({ orderId, accountId, side });
  }

  /** Feedback: the order left the book (filled or cancelled). */
  orderClosed(orderId: number): void {
    const where = this.restingIndex.get(orderId);
    if (where === undefined) return;
    this.restingIndex.delete(orderId);
    const list = this.resting[where.market] as RestingQuote[];
    const last = list.pop() as RestingQuote;
    if (where.slot < list.length) {
      list[where.slot] = last;
      this.restingIndex.set(last.orderId, where);
    }
  }

  restingQuoteCount(): number {
    return this.restingIndex.size;
  }

  /** Emits one command. */
  step(): void {
    const r = this.random;
    const m = r.int(0, this.config.markets.length - 1);
    const market = this.config.markets[m] as SimulatedMarket;
    // fair price: a small random walk, kept inside the market's positive range
    const drift = r.int(-market.driftTicks, market.driftTicks);
    this.fairTicks[m] = Math.max(this.config.quoteSpacingTicks * (this.config.quotesPerSide + 2), (this.fairTicks[m] as number) + drift);
    const fair = this.fairTicks[m] as number;
    const list = this.resting[m] as RestingQuote[];
    const wantQuotes = this.config.makerAccounts.length * this.config.quotesPerSide * 2;
    const roll = r.nextFloat();
    if (roll < this.config.takerShare) {
      this.placeTaker(market, fair);
    } else if (list.length < wantQuotes || roll < this.config.takerShare + this.config.newQuoteShare) {
      this.placeQuote(market, fair);
    } else if (roll < this.config.takerShare + this.config.newQuoteShare + this.config.cancelShare) {
      const q = r.pick(list);
      this.port.cancel(market.symbol, q.accountId, q.orderId);
    } else {
      const q = r.pick(list);
      this.port.amend(market.symbol, q.accountId, q.orderId, this.quotePrice(q.side, fair), r.int(1, this.config.maxOrderLots));
    }
  }

  private quotePrice(side: Side, fair: number): number {
    const rung = this.random.int(1, this.config.quotesPerSide);
    return Math.max(1, fair - side * rung * this.config.quoteSpacingTicks);
  }

  private placeQuote(market: SimulatedMarket, fair: number): void {
    const r = this.random;
    const it = this.intent;
    it.symbol = market.symbol;
    it.orderId = this.nextOrderId++;
    it.accountId = r.pick(this.config.makerAccounts);
    it.side = r.chance(0.5) ? Side.Buy : Side.Sell;
    it.type = OrderType.Limit;
    it.timeInForce = TimeInForce.GoodTillCancel;
    it.priceTicks = this.quotePrice(it.side, fair);
    it.qtyLots = r.int(1, Math.min(this.config.maxOrderLots, market.maxQtyLots));
    this.port.place(it);
  }

  private placeTaker(market: SimulatedMarket, fair: number): void {
    const r = this.random;
    const it = this.intent;
    it.symbol = market.symbol;
    it.orderId = this.nextOrderId++;
    it.accountId = r.pick(this.config.takerAccounts);
    it.side = r.chance(0.5) ? Side.Buy : Side.Sell;
    it.qtyLots = r.int(1, Math.min(this.config.maxOrderLots, market.maxQtyLots));
    if (r.chance(0.3)) {
      it.type = OrderType.Market;
      it.timeInForce = TimeInForce.ImmediateOrCancel;
      it.priceTicks = 0;
    } else {
      it.type = OrderType.Limit;
      it.timeInForce = TimeInForce.ImmediateOrCancel;
      it.priceTicks = Math.max(1, fair + it.side * r.int(0, 2) * this.config.quoteSpacingTicks);
    }
    this.port.place(it);
  }
}
