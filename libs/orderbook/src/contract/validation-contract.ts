/**
 * Contract scenarios: every bad input to `place` and `setMarkPrice` gets its reject
 * code and changes nothing; book configs are checked at construction; the state hash
 * is implementation-independent and moves only with the state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrderType, SelfTradePrevention, Side, TimeInForce, TriggerSource } from '@perpcore/domain';
import { MatchingReject, type OrderBookConfig, type OrderBookFactory, type PlaceOrderCommand } from '../order-book.js';
import { RecordingSink } from '../recording-sink.js';
import { ALICE, BOB, brief, conditional, harness, limit } from './harness.js';

const BUY = Side.Buy;
const SELL = Side.Sell;

/** Golden hash of the scenario in the last test: any implementation must produce it. */
const GOLDEN_HASH = 'd019fb36a5740dfa';

export function describeValidationContract(factory: OrderBookFactory, config: OrderBookConfig): void {
  const make = () => harness(factory, config);
  const maxP = config.maxPriceTicks;
  const maxQ = config.maxQtyLots;
  const bad = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];

  const cases: Array<[string, Partial<PlaceOrderCommand>, string]> = [
    ...bad.map((v): [string, Partial<PlaceOrderCommand>, string] => [`orderId ${v}`, { orderId: v }, MatchingReject.InvalidOrderId]),
    ['accountId 0', { accountId: 0 }, MatchingReject.InvalidAccount],
    ['accountId 2^32', { accountId: 2 ** 32 }, MatchingReject.InvalidAccount],
    ['accountId 1.5', { accountId: 1.5 }, MatchingReject.InvalidAccount],
    ['side 0', { side: 0 as Side }, MatchingReject.InvalidOrderType],
    ['type 0', { type: 0 as OrderType }, MatchingReject.InvalidOrderType],
    ['type 7', { type: 7 as OrderType }, MatchingReject.InvalidOrderType],
    ['timeInForce 5', { timeInForce: 5 as TimeInForce }, MatchingReject.InvalidOrderType],
    ['selfTradePrevention 4', { selfTradePrevention: 4 as SelfTradePrevention }, MatchingReject.InvalidOrderType],
    ['post-only market', { type: OrderType.Market, timeInForce: TimeInForce.PostOnly }, MatchingReject.InvalidOrderType],
    ['post-only stop-limit', { type: OrderType.StopLimit, timeInForce: TimeInForce.PostOnly, triggerPriceTicks: 20_000 }, MatchingReject.InvalidOrderType],
    ...[0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, maxP + 1].map((v): [string, Partial<PlaceOrderCommand>, string] => [
      `priceTicks ${v}`,
      { priceTicks: v },
      MatchingReject.InvalidPrice,
    ]),
    ...[0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, maxQ + 1].map((v): [string, Partial<PlaceOrderCommand>, string] => [
      `qtyLots ${v}`,
      { qtyLots: v },
      MatchingReject.InvalidQuantity,
    ]),
    ['stop-limit with price 0', { type: OrderType.StopLimit, priceTicks: 0, triggerPriceTicks: 20_000 }, MatchingReject.InvalidPrice],
    ['stop with trigger 0', { type: OrderType.StopMarket, triggerPriceTicks: 0 }, MatchingReject.InvalidTrigger],
    ['stop with trigger 1.5', { type: OrderType.StopMarket, triggerPriceTicks: 1.5 }, MatchingReject.InvalidTrigger],
    ['stop with trigger above max', { type: OrderType.StopMarket, triggerPriceTicks: maxP + 1 }, MatchingReject.InvalidTrigger],
    ['stop with trigger source 0', { type: OrderType.StopMarket, triggerPriceTicks: 20_000, triggerSource: 0 as TriggerSource }, MatchingReject.InvalidTrigger],
    ['duplicate of a resting order', { orderId: 1 }, MatchingReject.DuplicateOrderId],
  ];

  describe('validation: a bad command is rejected and changes nothing', () => {
    for (const [name, patch, code] of cases) {
      it(`place with ${name} → ${code}`, () => {
        const h = make();
        h.book.place(limit(1, ALICE, BUY, 9_000, 5));
        h.book.place(limit(2, BOB, SELL, 11_000, 5));
        h.expectReject((b) => b.place(limit(3, ALICE, BUY, 10_000, 1, patch)), code);
      });
    }

    it('a market order ignores its price field (market-like orders carry no limit)', () => {
      const h = make();
      h.book.place(limit(1, BOB, SELL, 10_000, 5));
      const events = h.run((b) => b.place(limit(3, ALICE, BUY, Number.NaN, 1, { type: OrderType.Market })));
      assert.deepEqual(brief(events), ['accepted 3', 'fill 1<-3 1@10000 m4 t0', 'delta ask 4@10000']);
    });

    it('setMarkPrice with a bad price is rejected (order and account 0)', () => {
      const h = make();
      for (const v of [0, -1, 1.5, Number.NaN, maxP + 1]) {
        h.expectReject((b) => b.setMarkPrice(v), MatchingReject.InvalidPrice);
      }
      const events = h.run((b) => b.setMarkPrice(-3));
      assert.deepEqual(events[0], { kind: 'rejected', orderId: 0, accountId: 0, code: MatchingReject.InvalidPrice });
    });

    it('the factory refuses a bad config', () => {
      const bads: OrderBookConfig[] = [
        { ...config, maxPriceTicks: 0 },
        { ...config, maxQtyLots: 1.5 },
        { ...config, priceBandE8: 0 },
        { ...config, priceBandE8: 100_000_000 },
        { maxPriceTicks: 2 ** 30, maxQtyLots: 2 ** 30, priceBandE8: 1 },
      ];
      for (const c of bads) assert.throws(() => factory(c, new RecordingSink()), { name: 'DomainError' });
    });
  });

  describe('stateHash', () => {
    it('moves with the queue order, not only with the totals', () => {
      const a = make();
      const b = make();
      a.book.place(limit(1, ALICE, BUY, 9_000, 5));
      a.book.place(limit(2, BOB, BUY, 9_000, 5));
      b.book.place(limit(2, BOB, BUY, 9_000, 5));
      b.book.place(limit(1, ALICE, BUY, 9_000, 5));
      assert.notEqual(a.book.stateHash(), b.book.stateHash());
      b.book.amend({ orderId: 2, accountId: BOB, priceTicks: 9_000, qtyLots: 6 });
      b.book.amend({ orderId: 2, accountId: BOB, priceTicks: 9_000, qtyLots: 5 });
      assert.equal(a.book.stateHash(), b.book.stateHash());
      assert.match(a.book.stateHash(), /^[0-9a-f]{16}$/);
    });

    it('covers untriggered orders, the last trade and the mark', () => {
      const h = make();
      const seen = new Set<string>([h.book.stateHash()]);
      h.book.place(conditional(5, ALICE, BUY, OrderType.StopMarket, 20_000, 1));
      seen.add(h.book.stateHash());
      h.book.place(limit(1, ALICE, BUY, 9_000, 5));
      h.book.place(limit(2, BOB, SELL, 9_000, 1));
      seen.add(h.book.stateHash());
      h.book.setMarkPrice(9_100);
      seen.add(h.book.stateHash());
      assert.equal(seen.size, 4);
    });

    it('matches the golden value for a fixed scenario', () => {
      const h = make();
      h.book.place(limit(1, ALICE, BUY, 9_000, 5));
      h.book.place(limit(2, BOB, BUY, 9_000, 3, { timeInForce: TimeInForce.PostOnly }));
      h.book.place(limit(3, BOB, SELL, 9_100, 4, { selfTradePrevention: SelfTradePrevention.CancelMaker, reduceOnly: true }));
      h.book.place(limit(4, ALICE, SELL, 9_000, 2));
      h.book.place(conditional(5, ALICE, SELL, OrderType.StopLimit, 8_000, 7, { priceTicks: 7_900, triggerSource: TriggerSource.MarkPrice }));
      h.book.setMarkPrice(9_050);
      assert.equal(h.book.stateHash(), GOLDEN_HASH);
    });
  });
}
