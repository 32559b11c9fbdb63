/**
 * tinybench suites for single book operations, fast book vs reference book, on a
 * book of 1,000 resting orders (100 levels a side, 5 orders each).
 *
 * Each timed iteration runs a batch of `BATCH` commands of one kind; the set-up and
 * clean-up that keep the book in its starting state (placing the makers a crossing
 * order takes, cancelling the orders a place added) run in tinybench's untimed
 * beforeEach / afterEach hooks. Figures are per command: batch time ÷ BATCH, so p99
 * is the 99th percentile of batch means (smoother than a per-command p99; see
 * matching-throughput for per-command tails).
 */
import { pathToFileURL } from 'node:url';
import { Side, TimeInForce } from '@perpcore/domain';
import { type OrderBook, type OrderBookFactory, type PlaceOrderCommand, createFastOrderBook, createPlaceOrderCommand, createReferenceOrderBook } from '@perpcore/orderbook';
import { Bench } from 'tinybench';
import { BENCH_BOOK_CONFIG } from './support/command-tape.js';
import { CountingSink } from './support/counting-sink.js';
import { isQuick, writeResults } from './support/results-file.js';

const BATCH = 64;
const MID = 1_000_000;
const LEVELS = 100;
const PER_LEVEL = 5;

/** A book in its starting state plus the helpers the tasks need. */
class Fixture {
  readonly book: OrderBook;
  private nextId = 1;
  private readonly cmd: PlaceOrderCommand = Object.assign(createPlaceOrderCommand(), { accountId: 1, qtyLots: 1 });
  /** Ids of the batch being worked on. */
  readonly batch = new Float64Array(BATCH);
  /** Ids and current prices of the starting book's bids, for amends. */
  readonly restingBids: number[] = [];
  readonly restingBidPrices: number[] = [];
  private amendFlip = 1;

  constructor(factory: OrderBookFactory) {
    this.book = factory(BENCH_BOOK_CONFIG, new CountingSink());
    for (let level = 1; level <= LEVELS; level++) {
      for (let k = 0; k < PER_LEVEL; k++) {
        this.restingBids.push(this.place(Side.Buy, MID - level, 5, TimeInForce.GoodTillCancel));
        this.restingBidPrices.push(MID - level);
        this.place(Side.Sell, MID + level, 5, TimeInForce.GoodTillCancel);
      }
    }
  }

  place(side: Side, priceTicks: number, qtyLots: number, tif: TimeInForce): number {
    const c = this.cmd;
    c.orderId = this.nextId++;
    c.accountId = 1 + (c.orderId % 50);
    c.side = side;
    c.priceTicks = priceTicks;
    c.qtyLots = qtyLots;
    c.timeInForce = tif;
    this.book.place(c);
    return c.orderId;
  }

  cancel(orderId: number): void {
    this.book.cancel({ orderId, accountId: 1 + (orderId % 50) });
  }

  /** Places a batch of non-crossing bids spread over the bid levels; remembers their ids. */
  placeRestingBatch(): void {
    for (let i = 0; i < BATCH; i++) this.batch[i] = this.place(Side.Buy, MID - 1 - (i % LEVELS), 2, TimeInForce.GoodTillCancel);
  }

  cancelBatch(): void {
    for (let i = 0; i < BATCH; i++) this.cancel(this.batch[i]);
  }

  /** Makers just inside the spread, one lot each: what the crossing batch takes. */
  placeMakers(): void {
    for (let i = 0; i < BATCH; i++) this.place(Side.Sell, MID, 1, TimeInForce.GoodTillCancel);
  }

  placeCrossingBatch(): void {
    for (let i = 0; i < BATCH; i++) this.place(Side.Buy, MID, 1, TimeInForce.ImmediateOrCancel);
  }

  /** Moves a batch of resting bids one tick (alternately up and down): each loses priority. */
  amendBatch(): void {
    const flip = this.amendFlip;
    this.amendFlip = -flip;
    for (let i = 0; i < BATCH; i++) {
      const j = i * 7;
      const id = this.restingBids[j];
      const priceTicks = (this.restingBidPrices[j] += flip);
      this.book.amend({ orderId: id, accountId: 1 + (id % 50), priceTicks, qtyLots: 5 });
    }
  }
}

export async function run(): Promise<void> {
  const quick = isQuick();
  process.stdout.write(`\n== order-book operations${quick ? ' (quick)' : ''}: ns per command, batches of ${BATCH} ==\n`);
  const bench = new Bench({ time: quick ? 150 : 600, warmupTime: quick ? 50 : 200 });
  const books: Array<[string, OrderBookFactory]> = [
    ['fast', (c, s) => createFastOrderBook(c, s)],
    ['reference', createReferenceOrderBook],
  ];
  for (const [name, factory] of books) {
    const f = new Fixture(factory);
    bench.add(`${name}: place resting`, () => f.placeRestingBatch(), { afterEach: () => f.cancelBatch() });
    bench.add(`${name}: place crossing (IOC, fills one maker)`, () => f.placeCrossingBatch(), { beforeEach: () => f.placeMakers() });
    bench.add(`${name}: cancel`, () => f.cancelBatch(), { beforeEach: () => f.placeRestingBatch() });
    bench.add(`${name}: amend (price move, loses priority)`, () => f.amendBatch());
  }
  await bench.run();
  const rows = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const perCommandNs = (ms: number) => Math.round((ms * 1e6) / BATCH);
    return { task: task.name, medianNs: perCommandNs(result.latency.p50), p99Ns: perCommandNs(result.latency.p99), batches: result.latency.samplesCount };
  });
  for (const r of rows) {
    process.stdout.write(`  ${r.task.padEnd(52)} median ${String(r.medianNs).padStart(6)} ns   p99 ${String(r.p99Ns).padStart(6)} ns   (${r.batches} batches)\n`);
  }
  const path = writeResults('order-book', { batch: BATCH, restingOrders: 2 * LEVELS * PER_LEVEL, tasks: rows });
  process.stdout.write(`results: ${path}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
