/**
 * Pre-generated book commands in typed arrays (one column per field), replayed
 * identically on every book under test. Generation runs the commands through a
 * model book so moves and cancels name orders that are live at that point.
 */
import { TimeInForce } from '@perpcore/domain';
import { createFastOrderBook, createPlaceOrderCommand, type OrderBook, type PlaceOrderCommand } from '@perpcore/orderbook';
import { CountingSink } from './counting-sink.js';
import { SeededRandom } from '@perpcore/simulation';

export const Op = { Place: 1, Cancel: 2, Amend: 3 } as const;

export const BENCH_BOOK_CONFIG = { maxPriceTicks: 2_000_000, maxQtyLots: 1_000_000, priceBandE8: 5_000_000 };
const MID = 1_000_000;

export class CommandTape {
  length = 0;
  readonly op: Uint8Array;
  readonly orderId: Float64Array;
  readonly accountId: Uint32Array;
  readonly side: Int8Array;
  readonly priceTicks: Float64Array;
  readonly qtyLots: Float64Array;
  readonly tif: Uint8Array;
  /** Order ids as strings, built up front for books keyed by string (not timed). */
  readonly idText: string[] = [];

  constructor(readonly capacity: number) {
    this.op = new Uint8Array(capacity);
    this.orderId = new Float64Array(capacity);
    this.accountId = new Uint32Array(capacity);
    this.side = new Int8Array(capacity);
    this.priceTicks = new Float64Array(capacity);
    this.qtyLots = new Float64Array(capacity);
    this.tif = new Uint8Array(capacity);
  }

  push(op: number, orderId: number, accountId: number, side: number, priceTicks: number, qtyLots: number, tif: number): void {
    const i = this.length++;
    this.op[i] = op;
    this.orderId[i] = orderId;
    this.accountId[i] = accountId;
    this.side[i] = side;
    this.priceTicks[i] = priceTicks;
    this.qtyLots[i] = qtyLots;
    this.tif[i] = tif;
    this.idText[i] = String(orderId);
  }
}

/** Live GTC orders of the model book: O(1) add, remove and uniform pick. */
class LiveOrders {
  private readonly ids: number[] = [];
  private readonly where = new Map<number, number>();

  get size(): number {
    return this.ids.length;
  }
  add(id: number): void {
    this.where.set(id, this.ids.length);
    this.ids.push(id);
  }
  remove(id: number): void {
    const i = this.where.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[i] = last;
      this.where.set(last, i);
    }
    this.where.delete(id);
  }
  pick(rng: SeededRandom): number {
    return this.ids[Math.floor(rng.nextFloat() * this.ids.length)];
  }
}

/** Applies generated commands to a model book and keeps `live` in step with it. */
class ModelBook {
  readonly live = new LiveOrders();
  private readonly book: OrderBook;
  private readonly cmd: PlaceOrderCommand = createPlaceOrderCommand();

  /** Where generated commands are written (the prefill tape, then the timed one). */
  constructor(public tape: CommandTape) {
    const live = this.live;
    const sink = new (class extends CountingSink {
      override onFill(e: { makerOrderId: number; makerRemainingLots: number }): void {
        if (e.makerRemainingLots === 0) live.remove(e.makerOrderId);
      }
    })();
    this.book = createFastOrderBook(BENCH_BOOK_CONFIG, sink, { initialOrderCapacity: 1 << 20 });
  }

  bestBid(): number {
    return this.book.bestBidTicks() || MID - 1;
  }
  bestAsk(): number {
    return this.book.bestAskTicks() || MID + 1;
  }
  priceOf(id: number): number {
    return this.book.getOrder(id)?.priceTicks ?? 0;
  }
  remainingOf(id: number): number {
    return this.book.getOrder(id)?.remainingLots ?? 0;
  }
  restingOrders(): number {
    return this.book.restingOrderCount();
  }
  sideOf(id: number): number {
    return this.book.getOrder(id)?.side ?? 0;
  }

  place(id: number, account: number, side: number, price: number, qty: number, tif: number): void {
    Object.assign(this.cmd, { orderId: id, accountId: account, side, priceTicks: price, qtyLots: qty, timeInForce: tif });
    this.book.place(this.cmd);
    this.tape.push(Op.Place, id, account, side, price, qty, tif);
    if (this.book.getOrder(id) !== undefined) this.live.add(id);
  }

  cancel(id: number, account: number): void {
    this.book.cancel({ orderId: id, accountId: account });
    this.tape.push(Op.Cancel, id, account, 0, 0, 0, 0);
    this.live.remove(id);
  }

  amend(id: number, account: number, price: number, qty: number): void {
    this.book.amend({ orderId: id, accountId: account, priceTicks: price, qtyLots: qty });
    this.tape.push(Op.Amend, id, account, 0, price, qty, 0);
    if (this.book.getOrder(id) === undefined) this.live.remove(id);
  }
}

export interface Scenario {
  name: string;
  /** Untimed commands that build the starting book. */
  prefill: CommandTape;
  /** The timed commands. */
  tape: CommandTape;
  /** Mean resting orders over the timed commands (sampled every 1,000 commands while generating). */
  meanRestingOrders: number;
}

const accountOf = (id: number) => 1 + (id % 100);

/**
 * exchange-core's benchmark mix: 82% move (amend to a nearby price, same size), 9% GTC
 * limit, 3% IOC, 6% cancel, over a book of about `restingOrders` orders near the mid.
 */
export function exchangeCoreMix(commands: number, restingOrders: number, seed: number): Scenario {
  const rng = new SeededRandom(seed);
  const prefill = new CommandTape(restingOrders);
  const tape = new CommandTape(commands);
  let nextId = 1;
  const model = new ModelBook(prefill);
  const passivePrice = (side: number) => (side > 0 ? MID - rng.int(1, 60) : MID + rng.int(1, 60));
  for (let i = 0; i < restingOrders; i++) {
    const side = i % 2 === 0 ? 1 : -1;
    model.place(nextId, accountOf(nextId), side, passivePrice(side), rng.int(1, 10), TimeInForce.GoodTillCancel);
    nextId++;
  }
  // continue on the same model book, now writing to the timed tape
  const live = model.live;
  model.tape = tape;
  let restingSum = 0;
  let restingSamples = 0;
  while (tape.length < commands) {
    if (tape.length % 1_000 === 0) {
      restingSum += model.restingOrders();
      restingSamples++;
    }
    const r = rng.nextFloat();
    if (r < 0.82 && live.size > 0) {
      const id = live.pick(rng);
      // a nearby price within ±100 ticks of the mid; one move in ten may reach the
      // opposite best and trade
            const side = model.sideOf(id);
      const step = rng.int(1, 5) * (rng.nextFloat() < 0.5 ? 1 : -1);
      const through = rng.nextFloat() < 0.1 ? 0 : 1;
      let price = model.priceOf(id) + step;
      price = Math.min(MID + 100, Math.max(MID - 100, price));
      price = side > 0 ? Math.min(price, model.bestAsk() - through) : Math.max(price, model.bestBid() + through);
      model.amend(id, accountOf(id), price, model.remainingOf(id));
    } else if (r < 0.91 || live.size === 0) {
      const side = rng.nextFloat() < 0.5 ? 1 : -1;
      const id = nextId++;
      model.place(id, accountOf(id), side, passivePrice(side), rng.int(1, 10), TimeInForce.GoodTillCancel);
    } else if (r < 0.94) {
      const side = rng.nextFloat() < 0.5 ? 1 : -1;
      const id = nextId++;
      const price = side > 0 ? model.bestAsk() + rng.int(0, 3) : model.bestBid() - rng.int(0, 3);
      // IOC sizes grow with the book's excess over its target: this holds it near `restingOrders`
      const excess = live.size / restingOrders;
      model.place(id, accountOf(id), side, price, rng.int(1, Math.max(1, Math.round(12 * excess * excess))), TimeInForce.ImmediateOrCancel);
    } else {
      const id = live.pick(rng);
      model.cancel(id, accountOf(id));
    }
  }
  return { name: 'exchange-core mix', prefill, tape, meanRestingOrders: Math.round(restingSum / restingSamples) };
}

/**
 * A deep book: `orders` random GTC limit orders; half rest away from the touch
 * (up to `depthTicks` behind it), half cross the best opposite price and rest any rest.
 */
export function deepBook(orders: number, depthTicks: number, seed: number): Scenario {
  const rng = new SeededRandom(seed);
  const prefill = new CommandTape(0);
  const tape = new CommandTape(orders);
  const model = new ModelBook(tape);
  let restingSum = 0;
  let restingSamples = 0;
  for (let id = 1; id <= orders; id++) {
    if (id % 1_000 === 0) {
      restingSum += model.restingOrders();
      restingSamples++;
    }
    const side = rng.nextFloat() < 0.5 ? 1 : -1;
    const crossing = rng.nextFloat() < 0.5;
    let price: number;
    if (crossing) price = side > 0 ? model.bestAsk() + rng.int(0, 2) : model.bestBid() - rng.int(0, 2);
    else price = side > 0 ? model.bestAsk() - rng.int(1, depthTicks) : model.bestBid() + rng.int(1, depthTicks);
    model.place(id, accountOf(id), side, price, rng.int(1, 20), TimeInForce.GoodTillCancel);
  }
  return { name: 'deep book', prefill, tape, meanRestingOrders: Math.round(restingSum / restingSamples) };
}
