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
import { Side } from '@perpcore/domain';
import { HUGE_RANGE, Interpreter, type Raw, rawCommand, SMALL_RANGE } from './book-command-stream.test-support.js';
import { createFastOrderBook } from './fast-order-book.js';
import { CancelReason, type OrderBook, type OrderBookConfig } from './order-book.js';
import { RecordingSink } from './recording-sink.js';
import { createReferenceOrderBook } from './reference-order-book.js';

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
