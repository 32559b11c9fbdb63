/**
 * Book drivers: replay one tape command on a book under test. The fast book gets
 * reused command structs (its intended use); nodejs-order-book gets its own API
 * (string ids built up front, one options object per call, as any caller would).
 */
import { Side, TimeInForce } from '@perpcore/domain';
import {
  createFastOrderBook,
  createPlaceOrderCommand,
  createReferenceOrderBook,
  type AmendOrderCommand,
  type CancelOrderCommand,
  type OrderBook,
  type PlaceOrderCommand,
} from '@perpcore/orderbook';
import { type LimitOrderOptions, OrderBook as NodejsOrderBook, Side as NSide } from 'nodejs-order-book';
import { BENCH_BOOK_CONFIG, type CommandTape, Op } from './command-tape.js';
import { CountingSink } from './counting-sink.js';

// the library's TimeInForce enum is not exported; its values are these strings
const GTC = 'GTC' as LimitOrderOptions['timeInForce'];
const IOC = 'IOC' as LimitOrderOptions['timeInForce'];

export interface BookDriver {
  readonly name: string;
  /** Starts from an empty book. */
  reset(expectedOrders: number): void;
  /** Drops the book, so its memory is not live while another book is measured. */
  dispose(): void;
  apply(tape: CommandTape, i: number): void;
  /** Applies commands [from, to) and returns the elapsed nanoseconds. */
  runUntimed(tape: CommandTape, from: number, to: number): number;
  /** Applies every command, each under its own clock, into `samplesNs`. */
  runTimed(tape: CommandTape, samplesNs: Float64Array): void;
  /** The book's levels as "side price:qty", bids best first then asks best first: to check two books agree. */
  depth(): string[];
}

export class PerpcoreDriver implements BookDriver {
  sink = new CountingSink();
  private book: OrderBook | null = null;
  private readonly placeCmd: PlaceOrderCommand = createPlaceOrderCommand();
  private readonly cancelCmd: CancelOrderCommand = { orderId: 0, accountId: 0 };
  private readonly amendCmd: AmendOrderCommand = { orderId: 0, accountId: 0, priceTicks: 0, qtyLots: 0 };

  constructor(
    readonly name: string,
    private readonly variant: 'fast' | 'reference',
  ) {}

  reset(expectedOrders: number): void {
    this.sink = new CountingSink();
    this.book =
      this.variant === 'fast'
        ? createFastOrderBook(BENCH_BOOK_CONFIG, this.sink, { initialOrderCapacity: expectedOrders })
        : createReferenceOrderBook(BENCH_BOOK_CONFIG, this.sink);
  }

  dispose(): void {
    this.book = null;
  }

  depth(): string[] {
    const out: string[] = [];
    this.book!.forEachLevel(Side.Buy, Number.MAX_SAFE_INTEGER, (p, q) => out.push(`bid ${p}:${q}`));
    this.book!.forEachLevel(Side.Sell, Number.MAX_SAFE_INTEGER, (p, q) => out.push(`ask ${p}:${q}`));
    return out;
  }

  // The loops live in each driver class, not in the harness: one shared loop calling
  // both drivers would be optimised for whichever ran first and deoptimise for the
  // other (measured: the book that ran second lost up to 3x).
  runUntimed(tape: CommandTape, from: number, to: number): number {
    const t0 = process.hrtime.bigint();
    for (let i = from; i < to; i++) this.apply(tape, i);
    return Number(process.hrtime.bigint() - t0);
  }

  runTimed(tape: CommandTape, samplesNs: Float64Array): void {
    const n = tape.length;
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      this.apply(tape, i);
      samplesNs[i] = Number(process.hrtime.bigint() - t0);
    }
  }

  apply(tape: CommandTape, i: number): void {
    const book = this.book!;
    const op = tape.op[i];
    if (op === Op.Place) {
      const c = this.placeCmd;
      c.orderId = tape.orderId[i];
      c.accountId = tape.accountId[i];
      c.side = tape.side[i] as Side;
      c.priceTicks = tape.priceTicks[i];
      c.qtyLots = tape.qtyLots[i];
      c.timeInForce = tape.tif[i] as TimeInForce;
      book.place(c);
    } else if (op === Op.Amend) {
      const c = this.amendCmd;
      c.orderId = tape.orderId[i];
      c.accountId = tape.accountId[i];
      c.priceTicks = tape.priceTicks[i];
      c.qtyLots = tape.qtyLots[i];
      book.amend(c);
    } else {
      const c = this.cancelCmd;
      c.orderId = tape.orderId[i];
      c.accountId = tape.accountId[i];
      book.cancel(c);
    }
  }
}

export class NodejsOrderBookDriver implements BookDriver {
  readonly name = 'nodejs-order-book';
  private book = new NodejsOrderBook();

  reset(): void {
    this.book = new NodejsOrderBook();
  }

  dispose(): void {
    this.book = new NodejsOrderBook();
  }

  depth(): string[] {
    const [asks, bids] = this.book.depth();
    const byPrice = (a: [number, number], b: [number, number]) => a[0] - b[0];
    return [
      ...[...bids].sort(byPrice).reverse().map(([p, q]) => `bid ${p}:${q}`),
      ...[...asks].sort(byPrice).map(([p, q]) => `ask ${p}:${q}`),
    ];
  }

  runUntimed(tape: CommandTape, from: number, to: number): number {
    const t0 = process.hrtime.bigint();
    for (let i = from; i < to; i++) this.apply(tape, i);
    return Number(process.hrtime.bigint() - t0);
  }

  runTimed(tape: CommandTape, samplesNs: Float64Array): void {
    const n = tape.length;
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      this.apply(tape, i);
      samplesNs[i] = Number(process.hrtime.bigint() - t0);
    }
  }

  apply(tape: CommandTape, i: number): void {
    const op = tape.op[i];
    const id = tape.idText[i];
    if (op === Op.Place) {
      this.book.limit({
        id,
        side: tape.side[i] > 0 ? NSide.BUY : NSide.SELL,
        size: tape.qtyLots[i],
        price: tape.priceTicks[i],
        timeInForce: tape.tif[i] === TimeInForce.ImmediateOrCancel ? IOC : GTC,
      });
    } else if (op === Op.Amend) {
      this.book.modify(id, { price: tape.priceTicks[i], size: tape.qtyLots[i] });
    } else {
      this.book.cancel(id);
    }
  }
}
