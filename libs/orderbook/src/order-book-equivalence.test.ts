/**
 * Property test: long random command streams (every order type, TIF and STP mode,
 * cancels, amends, cancelAll, mark updates, duplicate ids, foreign accounts and bad
 * inputs) fed to the reference and the fast book must give identical event sequences
 * and identical state hashes after every command; the fast book must also keep its
 * invariants (never crossed, level totals = sum of their orders). Seeded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { createFastOrderBook } from './fast-order-book.js';
import { CancelReason, type OrderBook, type OrderBookConfig, type PlaceOrderCommand } from './order-book.js';
import { RecordingSink } from './recording-sink.js';
import { createReferenceOrderBook } from './reference-order-book.js';

const MID = 10_000;
/** Band 0.1% = 10 ticks around 10_000: prices in the streams reach past it. */
const SMALL_RANGE: OrderBookConfig = { maxPriceTicks: 1_000_000, maxQtyLots: 1_000, priceBandE8: 100_000 };
const HUGE_RANGE: OrderBookConfig = { maxPriceTicks: 2 ** 40, maxQtyLots: 8_000, priceBandE8: 100_000 };
const ACCOUNTS = 4;

/** A raw command: plain numbers that `interpret` turns into a real call, given the ids issued so far. */
type Raw =
  | { k: 'limit'; acct: number; buy: boolean; off: number; qty: number; tif: number; stp: number; ro: boolean; dup: boolean; bad: number }
  | { k: 'market'; acct: number; buy: boolean; qty: number; tif: number; stp: number; bad: number }
  | { k: 'cond'; acct: number; buy: boolean; type: number; trig: number; off: number; qty: number; tif: number; src: number; stp: number; bad: number }
  | { k: 'cancel'; pick: number; foreign: boolean; bad: number }
  | { k: 'amend'; pick: number; foreign: boolean; off: number; qty: number; sameSize: number; bad: number }
  | { k: 'cancelAll'; acct: number; reason: number }
  | { k: 'mark'; off: number; bad: number };

const bad = fc.oneof({ weight: 12, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(20) });
const acct = fc.integer({ min: 1, max: ACCOUNTS });
const qty = fc.integer({ min: 1, max: 12 });
const stp = fc.integer({ min: 0, max: 3 });

const rawCommand: fc.Arbitrary<Raw> = fc.oneof(
  {
    weight: 35,
    arbitrary: fc.record({
      k: fc.constant('limit' as const),
      acct,
      buy: fc.boolean(),
      off: fc.integer({ min: -12, max: 12 }),
      qty,
      tif: fc.constantFrom(1, 1, 1, 2, 3, 4),
      stp,
      ro: fc.boolean(),
      dup: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.03),
      bad,
    }),
  },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('market' as const), acct, buy: fc.boolean(), qty, tif: fc.constantFrom(1, 2, 3), stp, bad }) },
  {
    weight: 14,
    arbitrary: fc.record({
      k: fc.constant('cond' as const),
      acct,
      buy: fc.boolean(),
      type: fc.integer({ min: 3, max: 6 }),
      trig: fc.integer({ min: -12, max: 12 }),
      off: fc.integer({ min: -12, max: 12 }),
      qty,
      tif: fc.constantFrom(1, 2, 3),
      src: fc.constantFrom(1, 2),
      stp,
      bad,
    }),
  },
  { weight: 15, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat(), foreign: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.05), bad }) },
  {
    weight: 20,
    arbitrary: fc.record({
      k: fc.constant('amend' as const),
      pick: fc.nat(),
      foreign: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.05),
      off: fc.integer({ min: -12, max: 12 }),
      qty,
      sameSize: fc.nat(3),
      bad,
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('cancelAll' as const), acct, reason: fc.constantFrom(5, 5, 6, 1, 0) }) },
  { weight: 9, arbitrary: fc.record({ k: fc.constant('mark' as const), off: fc.integer({ min: -30, max: 30 }), bad }) },
);

const BAD_VALUES = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];

/** Turns raw commands into calls; remembers each issued id's account so cancels and amends mostly hit live orders. */
class Interpreter {
  private nextId = 1;
  private readonly owner: number[] = [0];

  constructor(private readonly config: OrderBookConfig) {}

  apply(raw: Raw, book: OrderBook): void {
    switch (raw.k) {
      case 'limit': {
        const cmd = this.base(raw.acct, raw.buy, OrderType.Limit, raw.qty, raw.stp, raw.dup);
        cmd.priceTicks = MID + raw.off;
        cmd.timeInForce = raw.tif as TimeInForce;
        cmd.reduceOnly = raw.ro;
        return book.place(this.corrupt(cmd, raw.bad));
      }
      case 'market': {
        const cmd = this.base(raw.acct, raw.buy, OrderType.Market, raw.qty, raw.stp, false);
        cmd.timeInForce = raw.tif as TimeInForce;
        return book.place(this.corrupt(cmd, raw.bad));
      }
      case 'cond': {
        const cmd = this.base(raw.acct, raw.buy, raw.type as OrderType, raw.qty, raw.stp, false);
        cmd.triggerPriceTicks = MID + raw.trig;
        cmd.priceTicks = MID + raw.off;
        cmd.timeInForce = raw.tif as TimeInForce;
        cmd.triggerSource = raw.src as TriggerSource;
        return book.place(this.corrupt(cmd, raw.bad));
      }
      case 'cancel': {
        const orderId = this.pick(raw.pick);
        const accountId = raw.foreign ? (this.owner[orderId] % ACCOUNTS) + 1 : this.owner[orderId];
        return book.cancel({ orderId: raw.bad === 0 ? Number.NaN : orderId, accountId: raw.bad === 1 ? 0 : accountId || 1 });
      }
      case 'amend': {
        const orderId = this.pick(raw.pick);
        const accountId = raw.foreign ? (this.owner[orderId] % ACCOUNTS) + 1 : this.owner[orderId] || 1;
        const view = book.getOrder(orderId);
        // a third of the amends keep the price and shrink (or keep) the size: the priority-keeping path
        const keep = view !== undefined && raw.sameSize === 0;
        const cmd = {
          orderId,
          accountId,
          priceTicks: keep ? view.priceTicks : MID + raw.off,
          qtyLots: keep ? Math.max(1, view.remainingLots - (raw.qty % 3)) : raw.qty,
        };
        if (raw.bad >= 0 && raw.bad < 4) cmd.qtyLots = BAD_VALUES[raw.bad];
        else if (raw.bad >= 4 && raw.bad < 8) cmd.priceTicks = BAD_VALUES[raw.bad - 4];
        return book.amend(cmd);
      }
      case 'cancelAll':
        return book.cancelAll(raw.acct, raw.reason as CancelReason);
      case 'mark':
        return book.setMarkPrice(raw.bad >= 0 ? BAD_VALUES[raw.bad % BAD_VALUES.length] : MID + raw.off);
    }
  }

  private base(accountId: number, buy: boolean, type: OrderType, qtyLots: number, stp: number, dup: boolean): PlaceOrderCommand {
    const orderId = dup && this.nextId > 1 ? this.pick(accountId * 7919) : this.nextId++;
    this.owner[orderId] = accountId;
    return {
      orderId,
      accountId,
      side: buy ? Side.Buy : Side.Sell,
      type,
      timeInForce: TimeInForce.GoodTillCancel,
      priceTicks: 0,
      qtyLots,
      triggerPriceTicks: 0,
      triggerSource: TriggerSource.LastTrade,
      selfTradePrevention: stp as SelfTradePrevention,
      reduceOnly: false,
    };
  }

  /** Recent ids more often than old ones. */
  private pick(n: number): number {
    const issued = this.nextId - 1;
    if (issued === 0) return 1;
    const window = Math.min(issued, 40);
    return n % 4 === 0 ? 1 + (n % issued) : issued - (n % window);
  }

  private corrupt(cmd: PlaceOrderCommand, which: number): PlaceOrderCommand {
    if (which < 0) return cmd;
    const value = BAD_VALUES[which % BAD_VALUES.length];
    const fields = ['priceTicks', 'qtyLots', 'orderId', 'accountId', 'triggerPriceTicks', 'side', 'type', 'timeInForce'] as const;
    const field = fields[Math.floor(which / 3) % fields.length];
    const out = { ...cmd, [field]: field === 'qtyLots' && which % 2 === 0 ? this.config.maxQtyLots + 1 : value };
    return out as PlaceOrderCommand;
  }
}

function checkInvariants(book: OrderBook): void {
  const bid = book.bestBidTicks();
  const ask = book.bestAskTicks();
  if (bid !== 0 && ask !== 0) assert.ok(bid < ask, `crossed book: bid ${bid} ask ${ask}`);
  let orders = 0;
  for (const side of [Side.Buy, Side.Sell]) {
    const sums = new Map<number, number>();
    let lastPrice = 0;
    book.forEachRestingOrder(side, (_id, _acct, price, remaining) => {
      assert.ok(remaining > 0);
      if (lastPrice !== 0) assert.ok(side === Side.Buy ? price <= lastPrice : price >= lastPrice, 'levels out of priority order');
      lastPrice = price;
      sums.set(price, (sums.get(price) ?? 0) + remaining);
      orders++;
    });
    const levels = new Map<number, number>();
    book.forEachLevel(side, Number.MAX_SAFE_INTEGER, (price, qty) => levels.set(price, qty));
    assert.deepEqual(levels, sums, 'level totals differ from the sum of their orders');
    for (const [price, qty] of sums) assert.equal(book.levelQtyLots(side, price), qty);
  }
  assert.equal(book.restingOrderCount(), orders);
}

function runStream(config: OrderBookConfig, commands: Raw[], fastCapacity: number): void {
  const refSink = new RecordingSink();
  const fastSink = new RecordingSink();
  const ref = createReferenceOrderBook(config, refSink);
  const fast = createFastOrderBook(config, fastSink, { initialOrderCapacity: fastCapacity });
  const refInterp = new Interpreter(config);
  const fastInterp = new Interpreter(config);
  for (let i = 0; i < commands.length; i++) {
    refInterp.apply(commands[i], ref);
    fastInterp.apply(commands[i], fast);
    assert.deepEqual(fastSink.take(), refSink.take(), `events differ at command ${i}: ${JSON.stringify(commands[i])}`);
    assert.equal(fast.stateHash(), ref.stateHash(), `state differs after command ${i}`);
    checkInvariants(fast);
  }
  assert.equal(fast.lastTradeTicks(), ref.lastTradeTicks());
}

describe('fast book ≡ reference book on random command streams', () => {
  it('many short streams, direct tick ladder, growing pools (shrinkable)', () => {
    fc.assert(
      fc.property(fc.array(rawCommand, { minLength: 1, maxLength: 250 }), (commands) => runStream(SMALL_RANGE, commands, 2)),
      { seed: 20_240_601, numRuns: 100 },
    );
  });

  it('streams on a huge tick range (sparse ladder)', () => {
    fc.assert(
      fc.property(fc.array(rawCommand, { minLength: 1, maxLength: 250 }), (commands) => runStream(HUGE_RANGE, commands, 64)),
      { seed: 7_777, numRuns: 25 },
    );
  });

  it('long streams (deep books, many pending stops)', () => {
    fc.assert(
      fc.property(fc.array(rawCommand, { minLength: 3_000, maxLength: 4_000 }), (commands) => runStream(SMALL_RANGE, commands, 4096)),
      { seed: 42, numRuns: 3, endOnFailure: true },
    );
  });

  it('the generator reaches every kind of event and reject', () => {
    // guards the property above against a generator that silently stops covering a path
    const sink = new RecordingSink();
    const book = createReferenceOrderBook(SMALL_RANGE, sink);
    const interp = new Interpreter(SMALL_RANGE);
    for (const raw of fc.sample(rawCommand, { seed: 3, numRuns: 4_000 })) interp.apply(raw, book);
    const kinds = new Set(sink.events.map((e) => e.kind));
    assert.deepEqual([...kinds].sort(), ['accepted', 'amended', 'canceled', 'delta', 'fill', 'rejected', 'triggered']);
    const codes = new Set(sink.events.flatMap((e) => (e.kind === 'rejected' ? [e.code] : [])));
    const reasons = new Set(sink.events.flatMap((e) => (e.kind === 'canceled' ? [e.reason] : [])));
    for (const code of ['MATCHING_INVALID_PRICE', 'MATCHING_INVALID_QTY', 'MATCHING_DUPLICATE_ORDER_ID', 'MATCHING_UNKNOWN_ORDER', 'MATCHING_NOT_ORDER_OWNER', 'MATCHING_POST_ONLY_WOULD_TAKE', 'MATCHING_INVALID_TRIGGER', 'MATCHING_INVALID_CANCEL_REASON']) {
      assert.ok(codes.has(code as never), `never produced ${code}`);
    }
    for (const r of [CancelReason.UserRequested, CancelReason.Unfilled, CancelReason.SelfTradePrevention, CancelReason.PriceBand, CancelReason.CancelAll]) {
      assert.ok(reasons.has(r), `never cancelled with reason ${r}`);
    }
  });
});
