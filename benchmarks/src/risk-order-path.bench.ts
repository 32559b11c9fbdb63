/**
 * Pre-trade check + match + settle per order, in-process: the risk engine's hold
 * before the book, the fast book, and the settlement of every fill (both legs,
 * fees, funding touch, re-evaluation of both accounts and their breach triggers).
 *
 * Two wirings of the same tapes (support/command-tape.ts):
 * - direct: `RiskEngine.checkOrder` / `preTrade.checkAmend` → `createFastOrderBook`
 *   → a book sink calling the engine's primitive API (`onFill`, `onOrderCanceled`,
 *   …). No envelopes; risk still publishes its own events (PositionSettledV1, …).
 * - envelopes: gateway `MatchingCommandV1` → `RiskEngine.handleOrderCommand` →
 *   `MatchingEngine.handle` (services/matching, fast book) → every `MatchingEventV1`
 *   → `RiskEngine.handleMatchingEvent`: what embedded mode does over the
 *   in-process bus, minus the bus.
 * The book alone on the same tape is measured too, so risk's share is visible.
 *
 * Tapes: exchange-core's mix (82% moves, 9% GTC, 3% IOC, 6% cancel, ~1,000 resting)
 * and a deep book (random limit orders, half crossing). 100 accounts, each funded
 * far above its margin (the hold is computed in full; it simply passes). Every
 * 1,000 commands the oracle index moves to the book's mid (an IndexPriceV1 through
 * `handleOracleEvent`: mark, breach index), so marks follow the book as they would.
 * Per round: a throughput pass (one clock) and a latency pass (hrtime around every
 * command). `BENCH_QUICK=1` shrinks the tapes. Run: `node --expose-gc
 * benchmarks/dist/risk-order-path.bench.js`.
 */
import { pathToFileURL } from 'node:url';
import { OrderType, Side, TimeInForce, createAssetSpec, createMarketSpec } from '@perpcore/domain';
import { createMarketRiskParams } from '@perpcore/margin';
import { MatchingEngine } from '@perpcore/matching';
import { type BookEventSink, type FillEvent, type OrderBook, type PlaceOrderCommand, createFastOrderBook, createPlaceOrderCommand } from '@perpcore/orderbook';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type MatchingCommandV1, perpcore } from '@perpcore/proto';
import { type OrderIntent, type RiskEngineConfig, RiskEngine, createOrderIntent } from '@perpcore/risk';
import { PerpcoreDriver } from './support/book-drivers.js';
import { BENCH_BOOK_CONFIG, type CommandTape, Op, type Scenario, deepBook, exchangeCoreMix } from './support/command-tape.js';
import { median, summarize } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const gc = (globalThis as { gc?: () => void }).gc;
const INDEX_EVERY = 1_000;

/** Moves the index to the book's mid (every INDEX_EVERY commands). */
function followMid(engine: RiskEngine, book: OrderBook | undefined, i: number, tsNs: number): void {
  if (i % INDEX_EVERY !== 0 || book === undefined) return;
  const bid = book.bestBidTicks();
  const ask = book.bestAskTicks();
  if (bid === 0 || ask === 0) return;
  const mid = Math.round(((bid + ask) * risk.markSubticksPerTick) / 2);
  engine.handleOracleEvent({ schemaMajor: SCHEMA_MAJOR_V1, seq: 1 + i, tsNs, source: `bench-${indexRun}`, symbol: spec.symbol, event: 'indexPrice', indexPrice: { priceSubticks: mid, sources: [] } } as never);
}
let indexRun = 0;
const USDT = 1_000_000;
const MID_TICKS = 1_000_000;
const T0 = 1_700_000_000_000_000_000;
const u = (n: number) => n * USDT;

const spec = createMarketSpec({
  symbol: 'BENCHUSDT', baseAsset: 'BNCH', settleAsset: 'USDT', settleDecimals: 6,
  tickSize: '0.01', lotSize: '0.001', maxPriceTicks: BENCH_BOOK_CONFIG.maxPriceTicks, maxQtyLots: BENCH_BOOK_CONFIG.maxQtyLots, priceBandE8: BENCH_BOOK_CONFIG.priceBandE8,
});
const risk = createMarketRiskParams(spec, {
  tiers: [
    { floorUnits: 0, capUnits: u(50_000), maxLeverage: 125, mmrE8: 400_000 },
    { floorUnits: u(50_000), capUnits: u(250_000), maxLeverage: 100, mmrE8: 500_000 },
    { floorUnits: u(250_000), capUnits: u(1_000_000), maxLeverage: 50, mmrE8: 1_000_000 },
    { floorUnits: u(1_000_000), capUnits: u(50_000_000), maxLeverage: 20, mmrE8: 2_500_000 },
  ],
  clearanceFeeRateE8: 1_250_000,
});
const config: RiskEngineConfig = {
  source: 'risk-0',
  settleAsset: createAssetSpec('USDT', 6),
  markets: [{ spec, risk, makerFeeRateE8: 20_000, takerFeeRateE8: 50_000 }],
  feeAccountId: 900_001,
  insuranceFunds: [{ fundId: 'shared', accountId: 900_002 }],
};

interface PathDriver {
  readonly name: string;
  reset(expectedOrders: number): void;
  apply(tape: CommandTape, i: number): void;
  dispose(): void;
  /** Events and fills seen (so nothing is optimised away). */
  counters(): { riskEvents: number; fills: number; rejects: number };
}

/**
 * Funds accounts 1..100 (40 million USDT each: together inside the risk stage's
 * settle cap of 2^52 units, balance-limits.ts) and sets the index at the tape's mid.
 */
function newEngine(ports: ConstructorParameters<typeof RiskEngine>[0]['ports'], bookTop?: (s: string) => OrderBook | undefined): RiskEngine {
  const engine = new RiskEngine({ config, ports, bookTop });
  for (let id = 1; id <= 100; id++) {
    engine.handleAccountCommand({ schemaMajor: SCHEMA_MAJOR_V1, accountId: id, seq: 1, tsNs: T0, source: 'bench', commandId: id, command: 'deposit', deposit: { asset: 'USDT', amountUnits: u(40_000_000) } } as AccountCommandV1);
  }
  engine.handleOracleEvent({ schemaMajor: SCHEMA_MAJOR_V1, seq: 1, tsNs: T0, source: 'bench', symbol: spec.symbol, event: 'indexPrice', indexPrice: { priceSubticks: MID_TICKS * risk.markSubticksPerTick, sources: [] } } as never);
  return engine;
}

export class DirectDriver implements PathDriver, BookEventSink {
  readonly name = 'direct: risk + fast book';
  private engine!: RiskEngine;
  private book!: OrderBook;
  private readonly intent: OrderIntent = createOrderIntent();
  private readonly placeCmd: PlaceOrderCommand = createPlaceOrderCommand();
  private readonly cancelCmd = { orderId: 0, accountId: 0 };
  private readonly amendCmd = { orderId: 0, accountId: 0, priceTicks: 0, qtyLots: 0 };
  private readonly riskCancels: MatchingCommandV1[] = [];
  private tsNs = T0;
  private tradeSeq = 0;
  private events = 0;
  private fills = 0;
  private rejects = 0;

  reset(expectedOrders: number): void {
    this.riskCancels.length = 0;
    this.tradeSeq = 0;
    this.events = 0;
    this.fills = 0;
    this.rejects = 0;
    this.engine = newEngine({ publish: () => void this.events++, toMatching: (c) => void this.riskCancels.push(c) }, () => this.book);
    this.book = createFastOrderBook(BENCH_BOOK_CONFIG, this, { initialOrderCapacity: expectedOrders });
  }

  dispose(): void {
    this.engine = undefined as never;
    this.book = undefined as never;
  }

  counters() {
    return { riskEvents: this.events, fills: this.fills, rejects: this.rejects };
  }

  apply(tape: CommandTape, i: number): void {
    this.tsNs += 1_000;
    followMid(this.engine, this.book, i, this.tsNs);
    const op = tape.op[i];
    if (op === Op.Place) {
      const o = this.intent;
      o.orderId = tape.orderId[i];
      o.accountId = tape.accountId[i];
      o.side = tape.side[i];
      o.priceTicks = tape.priceTicks[i];
      o.qtyLots = tape.qtyLots[i];
      o.timeInForce = tape.tif[i];
      if (this.engine.checkOrder(o, this.tsNs) !== '') {
        this.rejects++;
        return;
      }
      const c = this.placeCmd;
      c.orderId = o.orderId;
      c.accountId = o.accountId;
      c.side = o.side as Side;
      c.priceTicks = o.priceTicks;
      c.qtyLots = o.qtyLots;
      c.timeInForce = o.timeInForce as TimeInForce;
      this.book.place(c);
    } else if (op === Op.Amend) {
      const a = this.amendCmd;
      a.orderId = tape.orderId[i];
      a.accountId = tape.accountId[i];
      a.priceTicks = tape.priceTicks[i];
      a.qtyLots = tape.qtyLots[i];
      if (this.engine.preTrade.checkAmend(0, a.orderId, a.accountId, a.priceTicks, a.qtyLots, this.tsNs) !== '') {
        this.rejects++;
        return;
      }
      this.book.amend(a);
    } else {
      this.cancelCmd.orderId = tape.orderId[i];
      this.cancelCmd.accountId = tape.accountId[i];
      this.book.cancel(this.cancelCmd);
    }
    // cancels risk itself issued (maker re-check, reduce-only trims) go to the book after the command
    for (let c = this.riskCancels.pop(); c !== undefined; c = this.riskCancels.pop()) {
      this.cancelCmd.orderId = c.cancel!.orderId;
      this.cancelCmd.accountId = c.cancel!.accountId;
      this.book.cancel(this.cancelCmd);
    }
  }

  onAccepted(e: { orderId: number }): void {
    this.engine.onOrderAccepted(0, e.orderId);
  }
  onRejected(e: { orderId: number; accountId: number }): void {
    this.engine.onOrderRejected(0, e.orderId, e.accountId, this.tsNs);
  }
  onFill(f: FillEvent): void {
    this.fills++;
    this.engine.onFill(0, ++this.tradeSeq, f.makerAccountId, f.makerOrderId, f.takerAccountId, f.takerOrderId, f.takerSide, f.priceTicks, f.qtyLots, f.makerRemainingLots, f.takerRemainingLots, 1, this.tsNs);
  }
  onCanceled(e: { orderId: number }): void {
    this.engine.onOrderCanceled(0, e.orderId, this.tsNs);
  }
  onAmended(e: { orderId: number; priceTicks: number; qtyLots: number }): void {
    this.engine.onOrderAmended(0, e.orderId, e.priceTicks, e.qtyLots, this.tsNs);
  }
  onTriggered(): void {}
  onBookDelta(): void {}
}

const WireSide = perpcore.common.v1.Side;

/**
 * Gateway commands for a tape, built once (untimed) and reused by every pass. Each
 * kind is one object literal, as a gateway builds them: envelopes built by spreading
 * a shared base came out with a hidden class each, which made every property read
 * on the risk and matching side megamorphic (a cost of this file, not of the stages).
 */
function envelopesOf(tape: CommandTape, seqStart: number): MatchingCommandV1[] {
  const out: MatchingCommandV1[] = [];
  for (let i = 0; i < tape.length; i++) {
    const seq = seqStart + i;
    const tsNs = T0 + (seqStart + i) * 1_000;
    const orderId = tape.orderId[i];
    const accountId = tape.accountId[i];
    if (tape.op[i] === Op.Place) {
      const place = {
        orderId, accountId, side: tape.side[i] > 0 ? WireSide.SIDE_BUY : WireSide.SIDE_SELL, type: OrderType.Limit, timeInForce: tape.tif[i],
        priceTicks: tape.priceTicks[i], qtyLots: tape.qtyLots[i], triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: '', liquidationId: 0,
      } as perpcore.matching.v1.PlaceOrderV1;
      out.push({ schemaMajor: SCHEMA_MAJOR_V1, market: spec.symbol, seq, tsNs, source: 'gateway-0', command: 'place', place } as MatchingCommandV1);
    } else if (tape.op[i] === Op.Amend) {
      const amend = { orderId, accountId, priceTicks: tape.priceTicks[i], qtyLots: tape.qtyLots[i] } as perpcore.matching.v1.AmendOrderV1;
      out.push({ schemaMajor: SCHEMA_MAJOR_V1, market: spec.symbol, seq, tsNs, source: 'gateway-0', command: 'amend', amend } as MatchingCommandV1);
    } else {
      const cancel = { orderId, accountId } as perpcore.matching.v1.CancelOrderV1;
      out.push({ schemaMajor: SCHEMA_MAJOR_V1, market: spec.symbol, seq, tsNs, source: 'gateway-0', command: 'cancel', cancel } as MatchingCommandV1);
    }
  }
  return out;
}

export class EnvelopeDriver implements PathDriver {
  readonly name = 'envelopes: risk + matching engine';
  private engine!: RiskEngine;
  private matching!: MatchingEngine;
  private readonly toMatching: MatchingCommandV1[] = [];
  private events = 0;
  private fills = 0;
  private rejects = 0;
  private readonly envelopes = new Map<CommandTape, MatchingCommandV1[]>();

  constructor(private readonly tapes: { tape: CommandTape; seqStart: number }[]) {
    for (const t of tapes) this.envelopes.set(t.tape, envelopesOf(t.tape, t.seqStart));
  }

  reset(expectedOrders: number): void {
    this.toMatching.length = 0;
    this.events = 0;
    this.fills = 0;
    this.rejects = 0;
    this.matching = new MatchingEngine({
      markets: [spec],
      createBook: (cfg, sink) => createFastOrderBook(cfg, sink, { initialOrderCapacity: expectedOrders }),
      publish: (e) => {
        if (e.event === 'filled') this.fills++;
        this.engine.handleMatchingEvent(e);
      },
    });
    this.engine = newEngine(
      {
        publish: (e) => {
          this.events++;
          if (e.event === 'orderRejected') this.rejects++;
        },
        toMatching: (c) => void this.toMatching.push(c),
      },
      (symbol) => this.matching.book(symbol),
    );
    this.matching.setMarkPrice(spec.symbol, MID_TICKS, T0);
  }

  dispose(): void {
    this.engine = undefined as never;
    this.matching = undefined as never;
  }

  counters() {
    return { riskEvents: this.events, fills: this.fills, rejects: this.rejects };
  }

  apply(tape: CommandTape, i: number): void {
    const command = (this.envelopes.get(tape) as MatchingCommandV1[])[i];
    followMid(this.engine, this.matching.book(spec.symbol), i, command.tsNs);
    this.engine.handleOrderCommand(command);
    for (let k = 0; k < this.toMatching.length; k++) this.matching.handle(this.toMatching[k]);
    this.toMatching.length = 0;
  }
}

/** The fast book alone on the same tape (support driver, counting sink). */
class BookOnlyDriver implements PathDriver {
  readonly name = 'book alone (no risk)';
  private readonly inner = new PerpcoreDriver('fast', 'fast');
  reset(n: number): void {
    this.inner.reset(n);
  }
  apply(tape: CommandTape, i: number): void {
    this.inner.apply(tape, i);
  }
  dispose(): void {
    this.inner.dispose();
  }
  counters() {
    return { riskEvents: 0, fills: this.inner.sink.filledLots, rejects: this.inner.sink.rejects };
  }
}

function prepare(d: PathDriver, s: Scenario, expectedOrders: number): void {
  indexRun++;
  d.reset(expectedOrders);
  for (let i = 0; i < s.prefill.length; i++) d.apply(s.prefill, i);
  gc?.();
}

function throughput(d: PathDriver, s: Scenario, expectedOrders: number): number {
  prepare(d, s, expectedOrders);
  const n = s.tape.length;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) d.apply(s.tape, i);
  const ns = Number(process.hrtime.bigint() - t0);
  return (n / ns) * 1e9;
}

function latency(d: PathDriver, s: Scenario, expectedOrders: number, samples: Float64Array) {
  prepare(d, s, expectedOrders);
  const n = s.tape.length;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    d.apply(s.tape, i);
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  const c = d.counters();
  d.dispose();
  return { ...summarize(samples, n), ...c };
}

async function runScenario(s: Scenario, drivers: PathDriver[], rounds: number, expectedOrders: number) {
  const samples = new Float64Array(s.tape.length);
  const results: Record<string, unknown>[] = [];
  for (const d of drivers) throughput(d, s, expectedOrders); // warm-up
  for (const d of drivers) {
    const ops: number[] = [];
    const lat: ReturnType<typeof latency>[] = [];
    for (let r = 0; r < rounds; r++) {
      ops.push(throughput(d, s, expectedOrders));
      lat.push(latency(d, s, expectedOrders, samples));
    }
    const row = {
      wiring: d.name,
      opsPerSecMedian: Math.round(median(ops)),
      opsPerSecPerRound: ops.map(Math.round),
      p50NsMedian: median(lat.map((l) => l.p50Ns)),
      p99NsMedian: median(lat.map((l) => l.p99Ns)),
      p999NsMedian: median(lat.map((l) => l.p999Ns)),
      maxNs: Math.max(...lat.map((l) => l.maxNs)),
      fillsPerPass: lat[0].fills,
      riskEventsPerPass: lat[0].riskEvents,
      rejectsPerPass: lat[0].rejects,
    };
    results.push(row);
    process.stdout.write(
      `  ${d.name.padEnd(36)} ${(row.opsPerSecMedian / 1e6).toFixed(2)}M ops/s  p50 ${row.p50NsMedian} ns  p99 ${row.p99NsMedian} ns  p99.9 ${row.p999NsMedian} ns  (fills ${row.fillsPerPass}, risk events ${row.riskEventsPerPass}, rejects ${row.rejectsPerPass})\n`,
    );
  }
  return { scenario: s.name, commandsPerPass: s.tape.length, meanRestingOrders: s.meanRestingOrders, rounds, results };
}

export async function run(): Promise<void> {
  const quick = isQuick();
  const rounds = quick ? 2 : 3;
  process.stdout.write(`\n== risk order path: pre-trade + match + settle${quick ? ' (quick)' : ''} ==\n`);
  const mix = exchangeCoreMix(quick ? 100_000 : 1_000_000, 1_000, 12_345);
  const deep = deepBook(quick ? 100_000 : 500_000, 2_000, 54_321);
  const envelope = new EnvelopeDriver([
    { tape: mix.prefill, seqStart: 1 },
    { tape: mix.tape, seqStart: 1 + mix.prefill.length },
    { tape: deep.prefill, seqStart: 1 },
    { tape: deep.tape, seqStart: 1 },
  ]);
  // BENCH_WIRING=book|direct|envelopes and BENCH_SCENARIO=mix|deep narrow a run while investigating (no results file then)
  const wiring = process.env.BENCH_WIRING;
  const only = process.env.BENCH_SCENARIO;
  const drivers = [new BookOnlyDriver(), new DirectDriver(), envelope].filter((d) => wiring === undefined || d.name.startsWith(wiring));
  const figures: Record<string, unknown> = {};
  if (only === undefined || only === 'mix') {
    process.stdout.write(`${mix.name}: ${mix.tape.length} commands, ~${mix.meanRestingOrders} resting\n`);
    figures.exchangeCoreMix = await runScenario(mix, drivers, rounds, 4_096);
  }
  if (only === undefined || only === 'deep') {
    process.stdout.write(`${deep.name}: ${deep.tape.length} orders, ~${deep.meanRestingOrders} resting\n`);
    figures.deepBook = await runScenario(deep, drivers, rounds, deep.tape.length);
  }
  if (wiring === undefined && only === undefined) process.stdout.write(`results: ${writeResults('risk-order-path', figures)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
